package io.jsanlock.format;

/**
 * Constants of sanlock 3.8.5's on-disk format (ondisk.md sections 2 and 7):
 * magics, versions, flag bits, record offsets and lengths.
 */
public final class DiskFormat {
    private DiskFormat() {
    }

    public static final int DELTA_DISK_MAGIC = 0x12212010;
    public static final int DELTA_DISK_VERSION = 0x00030004;
    public static final int PAXOS_DISK_MAGIC = 0x06152010;
    /** Magic of a paxos leader whose lease was deleted ("cleared"). */
    public static final int PAXOS_DISK_CLEAR = 0x11282016;
    public static final int PAXOS_DISK_VERSION = 0x00060004;
    public static final int REQ_DISK_MAGIC = 0x08292011;
    public static final int REQ_DISK_VERSION = 0x00010001;
    public static final int RINDEX_DISK_MAGIC = 0x01042018;
    public static final int RINDEX_DISK_VERSION = 0x00010002;

    /** Readers compare only the major half of a version. */
    public static final int VERSION_MAJOR_MASK = 0xFFFF0000;
    public static final int DELTA_DISK_VERSION_MAJOR = 0x00030000;
    public static final int PAXOS_DISK_VERSION_MAJOR = 0x00060000;
    public static final int REQ_DISK_VERSION_MAJOR = 0x00010000;
    public static final int RINDEX_DISK_VERSION_MAJOR = 0x00010000;
    /** Leaders with a minor version at or below this carry no align flag (legacy). */
    public static final int LEGACY_MAX_MINOR = 3;

    /** Leader flag: paxos owner holds the leader only briefly (shared acquire). */
    public static final int LFL_SHORT_HOLD = 0x00000001;
    public static final int LFL_ALIGN_1M = 0x00000010;
    public static final int LFL_ALIGN_2M = 0x00000020;
    public static final int LFL_ALIGN_4M = 0x00000040;
    public static final int LFL_ALIGN_8M = 0x00000080;
    public static final int LFL_ALIGN_MASK = LFL_ALIGN_1M | LFL_ALIGN_2M | LFL_ALIGN_4M | LFL_ALIGN_8M;

    /** rindex header flags: the same sizes with different bit values. */
    public static final int RHF_ALIGN_1M = 0x1;
    public static final int RHF_ALIGN_2M = 0x2;
    public static final int RHF_ALIGN_4M = 0x4;
    public static final int RHF_ALIGN_8M = 0x8;

    /** dblock flag: the host released its ballot (outside the checksum). */
    public static final int DBLOCK_FL_RELEASED = 0x00000001;
    /** mode block flag: the host holds the lease shared. */
    public static final int MBLOCK_SHARED = 0x00000001;

    /** Request force modes. */
    public static final int REQ_FORCE_NONE = 0;
    public static final int REQ_FORCE = 1;
    public static final int REQ_GRACEFUL = 2;

    /** Fixed size of every name field. */
    public static final int NAME_LEN = 48;

    /** Bytes of the leader struct. */
    public static final int LEADER_LEN = 200;
    /** Bytes reserved for the leader at the start of its sector. */
    public static final int LEADER_RECORD_MAX = 256;
    /** The leader checksum covers [0, 168). */
    public static final int LEADER_CHECKSUM_LEN = 168;
    /** Leaders count as "the same" when [0, 152) match. */
    public static final int LEADER_COMPARE_LEN = 152;
    /** Offset of the host-id bitmap in a delta-lease sector. */
    public static final int HOST_BITMAP_OFFSET = 256;
    /** Bytes of the host-id bitmap (2048 host ids). */
    public static final int HOST_BITMAP_LEN = 256;

    public static final int REQUEST_LEN = 24;
    public static final int DBLOCK_LEN = 56;
    /** The dblock checksum covers [0, 48). */
    public static final int DBLOCK_CHECKSUM_LEN = 48;
    /** Offset of the mode block in a dblock sector. */
    public static final int MODE_BLOCK_OFFSET = 128;
    public static final int MODE_BLOCK_LEN = 16;

    public static final int RINDEX_HEADER_LEN = 80;
    public static final int RINDEX_ENTRY_LEN = 64;

    /** Sector (in lease sectors) of the paxos request record and first dblock. */
    public static final int PAXOS_REQUEST_SECTOR = 1;
    public static final int PAXOS_DBLOCK_FIRST_SECTOR = 2;
    /** Fixed sector of the lock value block in a resource area. */
    public static final int LVB_SECTOR = 2002;

    /** Paxos resource name of the rindex's internal lease. */
    public static final String RINDEX_LEASE_NAME = "rindex_lease";
}
