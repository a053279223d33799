package io.jsanlock.format;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import java.nio.ByteBuffer;

/**
 * sanlock's leader record (ondisk.md 2.1): 200 bytes at offset 0 of a sector,
 * used both as a delta lease (one per host in a lockspace area) and as the
 * paxos leader (sector 0 of a resource area). Unsigned on-disk integers are
 * carried in Java ints/longs of the same width; names are byte strings (see
 * {@link Names}).
 *
 * <p>Codec: {@link #decode} reads the fields; {@link #encode} writes the 256
 * bytes reserved for the leader (200 of record, 56 zero) with a freshly
 * computed checksum, so a record never goes to disk with a stale one.
 *
 * @param checksum the stored checksum as decoded; {@link #encode} ignores it
 * @param writeId paxos: host that wrote the leader; delta: host-event generation
 * @param writeGeneration paxos: that writer's generation; delta: host-event event
 * @param writeTimestamp paxos: writer's monotonic seconds; delta: host-event data
 */
public record Leader(int magic, int version, int flags, int sectorSize, long numHosts, long maxHosts,
        long ownerId, long ownerGeneration, long lver, String spaceName, String resourceName,
        long timestamp, int checksum, int ioTimeout, long writeId, long writeGeneration, long writeTimestamp) {

    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_FLAGS = 8;
    public static final int OFF_SECTOR_SIZE = 12;
    public static final int OFF_NUM_HOSTS = 16;
    public static final int OFF_MAX_HOSTS = 24;
    public static final int OFF_OWNER_ID = 32;
    public static final int OFF_OWNER_GENERATION = 40;
    public static final int OFF_LVER = 48;
    public static final int OFF_SPACE_NAME = 56;
    public static final int OFF_RESOURCE_NAME = 104;
    public static final int OFF_TIMESTAMP = 152;
    public static final int OFF_UNUSED1 = 160;
    public static final int OFF_CHECKSUM = 168;
    public static final int OFF_UNUSED2 = 172;
    public static final int OFF_IO_TIMEOUT = 174;
    public static final int OFF_WRITE_ID = 176;
    public static final int OFF_WRITE_GENERATION = 184;
    public static final int OFF_WRITE_TIMESTAMP = 192;

    /** The io_timeout sanlock writes when none is given. */
    public static final int DEFAULT_IO_TIMEOUT = 10;

    public Leader {
        spaceName = spaceName == null ? "" : spaceName;
        resourceName = resourceName == null ? "" : resourceName;
    }

    /**
     * A never-used delta lease as {@code direct init -s} writes it in every
     * slot (ondisk.md 4.1.1): num_hosts 0, max_hosts 1, owner 0, timestamp 0.
     */
    public static Leader freeDeltaLease(Geometry g, String spaceName, int ioTimeout) {
        return new Leader(DiskFormat.DELTA_DISK_MAGIC, DiskFormat.DELTA_DISK_VERSION, g.leaderAlignFlag(), g.sectorSize(),
                0, 1, 0, 0, 0, spaceName, "", 0, 0, ioTimeout, 0, 0, 0);
    }

    /**
     * A fresh paxos leader as {@code direct init -r} writes it (ondisk.md 4.2.1):
     * num_hosts as given, max_hosts from the geometry, no owner, io_timeout 0.
     */
    public static Leader newPaxosLeader(Geometry g, String spaceName, String resourceName, long numHosts) {
        return new Leader(DiskFormat.PAXOS_DISK_MAGIC, DiskFormat.PAXOS_DISK_VERSION, g.leaderAlignFlag(), g.sectorSize(),
                numHosts, g.maxHosts(), 0, 0, 0, spaceName, resourceName, 0, 0, 0, 0, 0, 0);
    }

    /** Decodes the leader at absolute offset {@code off} of {@code b}. */
    public static Leader decode(ByteBuffer b, int off) {
        return new Leader(Le.u32(b, off + OFF_MAGIC), Le.u32(b, off + OFF_VERSION), Le.u32(b, off + OFF_FLAGS),
                Le.u32(b, off + OFF_SECTOR_SIZE), Le.u64(b, off + OFF_NUM_HOSTS), Le.u64(b, off + OFF_MAX_HOSTS),
                Le.u64(b, off + OFF_OWNER_ID), Le.u64(b, off + OFF_OWNER_GENERATION), Le.u64(b, off + OFF_LVER),
                Names.decode(b, off + OFF_SPACE_NAME), Names.decode(b, off + OFF_RESOURCE_NAME),
                Le.u64(b, off + OFF_TIMESTAMP), Le.u32(b, off + OFF_CHECKSUM), Le.u16(b, off + OFF_IO_TIMEOUT),
                Le.u64(b, off + OFF_WRITE_ID), Le.u64(b, off + OFF_WRITE_GENERATION), Le.u64(b, off + OFF_WRITE_TIMESTAMP));
    }

    /**
     * Writes this leader into the 256 bytes at {@code off} (record, then zeros)
     * with a checksum computed over the bytes just written.
     *
     * @return the checksum written
     */
    public int encode(ByteBuffer b, int off) {
        writeFields(b, off);
        int crc = Crc32c.checksum(b, off, DiskFormat.LEADER_CHECKSUM_LEN);
        Le.putU32(b, off + OFF_CHECKSUM, crc);
        return crc;
    }

    /**
     * Writes this leader with its {@link #checksum} field stored as is, valid
     * or not (for tools that must reproduce given bytes, e.g. damaged records
     * in tests).
     */
    public void encodeKeepingChecksum(ByteBuffer b, int off) {
        writeFields(b, off);
        Le.putU32(b, off + OFF_CHECKSUM, checksum);
    }

    private void writeFields(ByteBuffer b, int off) {
        Le.putU32(b, off + OFF_MAGIC, magic);
        Le.putU32(b, off + OFF_VERSION, version);
        Le.putU32(b, off + OFF_FLAGS, flags);
        Le.putU32(b, off + OFF_SECTOR_SIZE, sectorSize);
        Le.putU64(b, off + OFF_NUM_HOSTS, numHosts);
        Le.putU64(b, off + OFF_MAX_HOSTS, maxHosts);
        Le.putU64(b, off + OFF_OWNER_ID, ownerId);
        Le.putU64(b, off + OFF_OWNER_GENERATION, ownerGeneration);
        Le.putU64(b, off + OFF_LVER, lver);
        Names.encode(b, off + OFF_SPACE_NAME, spaceName);
        Names.encode(b, off + OFF_RESOURCE_NAME, resourceName);
        Le.putU64(b, off + OFF_TIMESTAMP, timestamp);
        Le.putU64(b, off + OFF_UNUSED1, 0L);
        Le.putU32(b, off + OFF_CHECKSUM, 0);
        Le.putU16(b, off + OFF_UNUSED2, 0);
        // io_timeout is a u16 on disk; sanlock keeps only the low bits of larger values.
        Le.putU16(b, off + OFF_IO_TIMEOUT, ioTimeout);
        Le.putU64(b, off + OFF_WRITE_ID, writeId);
        Le.putU64(b, off + OFF_WRITE_GENERATION, writeGeneration);
        Le.putU64(b, off + OFF_WRITE_TIMESTAMP, writeTimestamp);
        Le.zero(b, off + DiskFormat.LEADER_LEN, DiskFormat.LEADER_RECORD_MAX - DiskFormat.LEADER_LEN);
    }

    /** The checksum sanlock computes over the leader bytes at {@code off}. */
    public static int computeChecksum(ByteBuffer b, int off) {
        return Crc32c.checksum(b, off, DiskFormat.LEADER_CHECKSUM_LEN);
    }

    /** True when the stored checksum of the leader at {@code off} matches its bytes. */
    public static boolean checksumValid(ByteBuffer b, int off) {
        return computeChecksum(b, off) == Le.u32(b, off + OFF_CHECKSUM);
    }

    /** owner_id of the leader at {@code off}, without decoding the rest (hot paths: liveness scans). */
    public static long ownerIdAt(ByteBuffer b, int off) {
        return Le.u64(b, off + OFF_OWNER_ID);
    }

    /** owner_generation of the leader at {@code off}, without decoding the rest. */
    public static long ownerGenerationAt(ByteBuffer b, int off) {
        return Le.u64(b, off + OFF_OWNER_GENERATION);
    }

    /** timestamp of the leader at {@code off}, without decoding the rest. */
    public static long timestampAt(ByteBuffer b, int off) {
        return Le.u64(b, off + OFF_TIMESTAMP);
    }

    /** The first u32 of a record: how dump and readers tell record types apart. */
    public static int magicAt(ByteBuffer b, int off) {
        return Le.u32(b, off);
    }

    /**
     * Decodes and checks a delta lease as sanlock does before using it
     * (ondisk.md 8): magic, major version, lockspace name, checksum.
     *
     * @throws SanlockException LEADER_MAGIC, LEADER_VERSION, LEADER_LOCKSPACE or LEADER_CHECKSUM
     */
    public static Leader decodeDeltaChecked(ByteBuffer b, int off, String spaceName) throws SanlockException {
        Leader l = decode(b, off);
        if (l.magic != DiskFormat.DELTA_DISK_MAGIC) {
            throw new SanlockException(SanlockError.LEADER_MAGIC, "delta lease has wrong magic 0x" + Integer.toHexString(l.magic));
        }
        if ((l.version & DiskFormat.VERSION_MAJOR_MASK) != DiskFormat.DELTA_DISK_VERSION_MAJOR) {
            throw new SanlockException(SanlockError.LEADER_VERSION, "delta lease has wrong version 0x" + Integer.toHexString(l.version));
        }
        if (!Names.sameName(l.spaceName, spaceName)) {
            throw new SanlockException(SanlockError.LEADER_LOCKSPACE,
                    "delta lease belongs to lockspace '" + l.spaceName + "', not '" + spaceName + "'");
        }
        if (!checksumValid(b, off)) {
            throw new SanlockException(SanlockError.LEADER_CHECKSUM, "delta lease has a bad checksum 0x"
                    + Integer.toHexString(l.checksum) + " (computed 0x" + Integer.toHexString(computeChecksum(b, off)) + ")");
        }
        return l;
    }

    /**
     * Decodes and checks a paxos leader as sanlock does (ondisk.md 8): not
     * cleared, magic, major version, lockspace and resource names, num_hosts
     * covering {@code hostId} (skipped when hostId is 0), checksum.
     *
     * @throws SanlockException LEADER_MAGIC, LEADER_VERSION, LEADER_LOCKSPACE, LEADER_RESOURCE, LEADER_NUMHOSTS or LEADER_CHECKSUM
     */
    public static Leader decodePaxosChecked(ByteBuffer b, int off, String spaceName, String resourceName, long hostId)
            throws SanlockException {
        Leader l = decode(b, off);
        if (l.magic == DiskFormat.PAXOS_DISK_CLEAR) {
            throw new SanlockException(SanlockError.LEADER_MAGIC, "paxos lease was deleted (cleared leader)");
        }
        if (l.magic != DiskFormat.PAXOS_DISK_MAGIC) {
            throw new SanlockException(SanlockError.LEADER_MAGIC, "paxos leader has wrong magic 0x" + Integer.toHexString(l.magic));
        }
        if ((l.version & DiskFormat.VERSION_MAJOR_MASK) != DiskFormat.PAXOS_DISK_VERSION_MAJOR) {
            throw new SanlockException(SanlockError.LEADER_VERSION, "paxos leader has wrong version 0x" + Integer.toHexString(l.version));
        }
        if (!Names.sameName(l.spaceName, spaceName)) {
            throw new SanlockException(SanlockError.LEADER_LOCKSPACE,
                    "paxos leader belongs to lockspace '" + l.spaceName + "', not '" + spaceName + "'");
        }
        if (!Names.sameName(l.resourceName, resourceName)) {
            throw new SanlockException(SanlockError.LEADER_RESOURCE,
                    "paxos leader is for resource '" + l.resourceName + "', not '" + resourceName + "'");
        }
        if (hostId != 0 && Long.compareUnsigned(l.numHosts, hostId) < 0) {
            throw new SanlockException(SanlockError.LEADER_NUMHOSTS,
                    "paxos leader has num_hosts " + l.numHosts + ", below host_id " + hostId);
        }
        if (!checksumValid(b, off)) {
            throw new SanlockException(SanlockError.LEADER_CHECKSUM, "paxos leader has a bad checksum 0x"
                    + Integer.toHexString(l.checksum) + " (computed 0x" + Integer.toHexString(computeChecksum(b, off)) + ")");
        }
        return l;
    }

    /** sanlock's "same leader" test: bytes [0,152) equal, i.e. everything before the timestamp. */
    public boolean sameAs(Leader o) {
        return magic == o.magic && version == o.version && flags == o.flags && sectorSize == o.sectorSize
                && numHosts == o.numHosts && maxHosts == o.maxHosts && ownerId == o.ownerId
                && ownerGeneration == o.ownerGeneration && lver == o.lver
                && Names.truncate(spaceName).equals(Names.truncate(o.spaceName))
                && Names.truncate(resourceName).equals(Names.truncate(o.resourceName));
    }

    /** True for a delta lease or paxos leader whose timestamp is 0 (LEASE_FREE). */
    public boolean isFree() {
        return timestamp == 0;
    }

    /** True when the version's minor part predates the align flags. */
    public boolean isLegacy() {
        return (version & 0xFFFF) <= DiskFormat.LEGACY_MAX_MINOR;
    }

    public Leader withMagic(int v) {
        return new Leader(v, version, flags, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, lver, spaceName, resourceName, timestamp, checksum, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }

    public Leader withFlags(int v) {
        return new Leader(magic, version, v, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, lver, spaceName, resourceName, timestamp, checksum, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }

    public Leader withNumHosts(long v) {
        return new Leader(magic, version, flags, sectorSize, v, maxHosts, ownerId, ownerGeneration, lver, spaceName, resourceName, timestamp, checksum, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }

    /** Owner fields together, as a join or a paxos commit sets them. */
    public Leader withOwner(long id, long generation, long ts) {
        return new Leader(magic, version, flags, sectorSize, numHosts, maxHosts, id, generation, lver, spaceName, resourceName, ts, checksum, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }

    public Leader withLver(long v) {
        return new Leader(magic, version, flags, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, v, spaceName, resourceName, timestamp, checksum, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }

    public Leader withResourceName(String v) {
        return new Leader(magic, version, flags, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, lver, spaceName, v, timestamp, checksum, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }

    public Leader withTimestamp(long v) {
        return new Leader(magic, version, flags, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, lver, spaceName, resourceName, v, checksum, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }

    public Leader withIoTimeout(int v) {
        return new Leader(magic, version, flags, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, lver, spaceName, resourceName, timestamp, checksum, v, writeId, writeGeneration, writeTimestamp);
    }

    /** The three write_* fields (paxos: writer identity; delta: host event). */
    public Leader withWrite(long id, long generation, long ts) {
        return new Leader(magic, version, flags, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, lver, spaceName, resourceName, timestamp, checksum, ioTimeout, id, generation, ts);
    }

    public Leader withChecksum(int v) {
        return new Leader(magic, version, flags, sectorSize, numHosts, maxHosts, ownerId, ownerGeneration, lver, spaceName, resourceName, timestamp, v, ioTimeout, writeId, writeGeneration, writeTimestamp);
    }
}
