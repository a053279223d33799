package io.jsanlock.format;

import java.nio.ByteBuffer;

/**
 * One 64-byte rindex entry (ondisk.md 7): entry i sits at
 * rindex offset + sector_size + 64·i. No checksum. Free when res_offset is 0
 * and the name is empty.
 *
 * @param resOffset absolute offset of the entry's lease area
 */
public record RindexEntry(long resOffset, int flags, String name) {
    public static final int OFF_RES_OFFSET = 0;
    public static final int OFF_FLAGS = 8;
    public static final int OFF_UNUSED = 12;
    public static final int OFF_NAME = 16;

    public static final RindexEntry FREE = new RindexEntry(0, 0, "");

    public RindexEntry {
        name = name == null ? "" : name;
    }

    public static RindexEntry decode(ByteBuffer b, int off) {
        return new RindexEntry(Le.u64(b, off + OFF_RES_OFFSET), Le.u32(b, off + OFF_FLAGS), Names.decode(b, off + OFF_NAME));
    }

    /** Writes the 64-byte entry at {@code off}. */
    public void encode(ByteBuffer b, int off) {
        Le.putU64(b, off + OFF_RES_OFFSET, resOffset);
        Le.putU32(b, off + OFF_FLAGS, flags);
        Le.putU32(b, off + OFF_UNUSED, 0);
        Names.encode(b, off + OFF_NAME, name);
    }

    public boolean isFree() {
        return resOffset == 0 && name.isEmpty();
    }

    /** Absolute offset of entry {@code i} of the rindex at {@code rxOffset}. */
    public static long entryOffset(Geometry g, long rxOffset, int i) {
        return rxOffset + g.sectorSize() + (long) i * DiskFormat.RINDEX_ENTRY_LEN;
    }
}
