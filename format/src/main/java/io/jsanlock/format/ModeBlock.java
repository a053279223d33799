package io.jsanlock.format;

import java.nio.ByteBuffer;

/**
 * The mode block at byte 128 of a dblock sector (ondisk.md 2.6): set by a
 * host holding the lease shared. No checksum; bytes 132..135 are padding,
 * ignored on read and written as zero.
 *
 * @param flags {@link DiskFormat#MBLOCK_SHARED} or 0
 * @param generation holder's lockspace generation, set together with SHARED
 */
public record ModeBlock(int flags, long generation) {
    public static final ModeBlock NONE = new ModeBlock(0, 0);

    /** Decodes the mode block of the dblock sector starting at {@code sectorOff}. */
    public static ModeBlock decode(ByteBuffer b, int sectorOff) {
        int off = sectorOff + DiskFormat.MODE_BLOCK_OFFSET;
        return new ModeBlock(Le.u32(b, off), Le.u64(b, off + 8));
    }

    /** Writes the mode block into the dblock sector starting at {@code sectorOff}. */
    public void encode(ByteBuffer b, int sectorOff) {
        int off = sectorOff + DiskFormat.MODE_BLOCK_OFFSET;
        Le.putU32(b, off, flags);
        Le.putU32(b, off + 4, 0);
        Le.putU64(b, off + 8, generation);
    }

    public boolean shared() {
        return (flags & DiskFormat.MBLOCK_SHARED) != 0;
    }
}
