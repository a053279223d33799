package io.jsanlock.format;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import java.nio.ByteBuffer;

/**
 * The resource index header, sector 0 of an rindex (ondisk.md 7): 80 bytes,
 * no checksum. Its flags use RHF_ALIGN_* bits, not the leader's LFL_ALIGN_*.
 *
 * @param maxResources entries the index may hold (default 4096)
 * @param rxOffset the header's own absolute offset
 */
public record RindexHeader(int magic, int version, int flags, int sectorSize, int maxResources, long rxOffset,
        String lockspaceName) {
    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_FLAGS = 8;
    public static final int OFF_SECTOR_SIZE = 12;
    public static final int OFF_MAX_RESOURCES = 16;
    public static final int OFF_UNUSED = 20;
    public static final int OFF_RX_OFFSET = 24;
    public static final int OFF_LOCKSPACE_NAME = 32;

    /** max_resources when none is asked for. */
    public static final int DEFAULT_MAX_RESOURCES = 4096;

    /** A header as format writes it. */
    public static RindexHeader of(Geometry g, int maxResources, long rxOffset, String lockspaceName) {
        return new RindexHeader(DiskFormat.RINDEX_DISK_MAGIC, DiskFormat.RINDEX_DISK_VERSION, g.rindexAlignFlag(),
                g.sectorSize(), Math.min(maxResources, g.rindexMaxEntries()), rxOffset, lockspaceName);
    }

    public static RindexHeader decode(ByteBuffer b, int off) {
        return new RindexHeader(Le.u32(b, off + OFF_MAGIC), Le.u32(b, off + OFF_VERSION), Le.u32(b, off + OFF_FLAGS),
                Le.u32(b, off + OFF_SECTOR_SIZE), Le.u32(b, off + OFF_MAX_RESOURCES), Le.u64(b, off + OFF_RX_OFFSET),
                Names.decode(b, off + OFF_LOCKSPACE_NAME));
    }

    /** Writes the 80-byte header at {@code off}; the rest of the sector is the caller's. */
    public void encode(ByteBuffer b, int off) {
        Le.putU32(b, off + OFF_MAGIC, magic);
        Le.putU32(b, off + OFF_VERSION, version);
        Le.putU32(b, off + OFF_FLAGS, flags);
        Le.putU32(b, off + OFF_SECTOR_SIZE, sectorSize);
        Le.putU32(b, off + OFF_MAX_RESOURCES, maxResources);
        Le.putU32(b, off + OFF_UNUSED, 0);
        Le.putU64(b, off + OFF_RX_OFFSET, rxOffset);
        Names.encode(b, off + OFF_LOCKSPACE_NAME, lockspaceName);
    }

    /** The align size the flags record (smallest bit wins), or 0 when none is set. */
    public int alignSize() {
        if ((flags & DiskFormat.RHF_ALIGN_1M) != 0) {
            return Geometry.MIB;
        }
        if ((flags & DiskFormat.RHF_ALIGN_2M) != 0) {
            return 2 * Geometry.MIB;
        }
        if ((flags & DiskFormat.RHF_ALIGN_4M) != 0) {
            return 4 * Geometry.MIB;
        }
        if ((flags & DiskFormat.RHF_ALIGN_8M) != 0) {
            return 8 * Geometry.MIB;
        }
        return 0;
    }

    /** The geometry recorded in the header (legacy rule when no align bit is set). */
    public Geometry geometry() {
        int align = alignSize();
        try {
            return align == 0 ? Geometry.legacy(sectorSize) : Geometry.of(sectorSize, align);
        } catch (SanlockException e) {
            throw new IllegalStateException("rindex header records an invalid size pair " + sectorSize + "/" + align);
        }
    }

    /**
     * sanlock's acceptance checks (ondisk.md 8): magic, major version,
     * lockspace name, rx_offset equal to where it was read.
     *
     * @throws SanlockException RINDEX_MAGIC, RINDEX_VERSION, RINDEX_LOCKSPACE or RINDEX_OFFSET
     */
    public void check(String expectedLockspace, long expectedOffset) throws SanlockException {
        if (magic != DiskFormat.RINDEX_DISK_MAGIC) {
            throw new SanlockException(SanlockError.RINDEX_MAGIC, "no rindex header (magic 0x" + Integer.toHexString(magic) + ")");
        }
        if ((version & DiskFormat.VERSION_MAJOR_MASK) != DiskFormat.RINDEX_DISK_VERSION_MAJOR) {
            throw new SanlockException(SanlockError.RINDEX_VERSION, "rindex header has version 0x" + Integer.toHexString(version));
        }
        if (!Names.sameName(lockspaceName, expectedLockspace)) {
            throw new SanlockException(SanlockError.RINDEX_LOCKSPACE, "rindex belongs to lockspace '" + lockspaceName
                    + "', not '" + expectedLockspace + "'");
        }
        if (rxOffset != expectedOffset) {
            throw new SanlockException(SanlockError.RINDEX_OFFSET, "rindex header records offset " + rxOffset
                    + ", not " + expectedOffset);
        }
    }
}
