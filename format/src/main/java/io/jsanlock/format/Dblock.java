package io.jsanlock.format;

import java.nio.ByteBuffer;

/**
 * A paxos dblock (ondisk.md 2.5): one per host, at offset 0 of sector
 * 2 + (host_id - 1) of a resource area. The checksum covers bytes [0, 48);
 * the flags word at 52 lies outside it, so marking RELEASED leaves the
 * checksum unchanged.
 *
 * @param checksum stored checksum as decoded; {@link #encode} recomputes it
 * @param flags {@link DiskFormat#DBLOCK_FL_RELEASED} or 0
 */
public record Dblock(long mbal, long bal, long inp, long inp2, long inp3, long lver, int checksum, int flags) {
    public static final int OFF_MBAL = 0;
    public static final int OFF_BAL = 8;
    public static final int OFF_INP = 16;
    public static final int OFF_INP2 = 24;
    public static final int OFF_INP3 = 32;
    public static final int OFF_LVER = 40;
    public static final int OFF_CHECKSUM = 48;
    public static final int OFF_FLAGS = 52;

    public static final Dblock ZERO = new Dblock(0, 0, 0, 0, 0, 0, 0, 0);

    public static Dblock decode(ByteBuffer b, int off) {
        return new Dblock(Le.u64(b, off + OFF_MBAL), Le.u64(b, off + OFF_BAL), Le.u64(b, off + OFF_INP),
                Le.u64(b, off + OFF_INP2), Le.u64(b, off + OFF_INP3), Le.u64(b, off + OFF_LVER),
                Le.u32(b, off + OFF_CHECKSUM), Le.u32(b, off + OFF_FLAGS));
    }

    /**
     * Writes the 56-byte dblock at {@code off} with a freshly computed
     * checksum; the rest of the sector (mode block included) is the caller's.
     *
     * @return the checksum written
     */
    public int encode(ByteBuffer b, int off) {
        Le.putU64(b, off + OFF_MBAL, mbal);
        Le.putU64(b, off + OFF_BAL, bal);
        Le.putU64(b, off + OFF_INP, inp);
        Le.putU64(b, off + OFF_INP2, inp2);
        Le.putU64(b, off + OFF_INP3, inp3);
        Le.putU64(b, off + OFF_LVER, lver);
        int crc = Crc32c.checksum(b, off, DiskFormat.DBLOCK_CHECKSUM_LEN);
        Le.putU32(b, off + OFF_CHECKSUM, crc);
        Le.putU32(b, off + OFF_FLAGS, flags);
        return crc;
    }

    /** The checksum sanlock computes over the dblock bytes at {@code off}. */
    public static int computeChecksum(ByteBuffer b, int off) {
        return Crc32c.checksum(b, off, DiskFormat.DBLOCK_CHECKSUM_LEN);
    }

    /**
     * sanlock's acceptance test for a dblock read from disk: an all-zero dblock
     * (checksum, mbal, bal, inp and lver all 0) is valid and empty; otherwise the
     * checksum must match.
     */
    public static boolean valid(ByteBuffer b, int off) {
        if (Le.u32(b, off + OFF_CHECKSUM) == 0 && Le.u64(b, off + OFF_MBAL) == 0 && Le.u64(b, off + OFF_BAL) == 0
                && Le.u64(b, off + OFF_INP) == 0 && Le.u64(b, off + OFF_LVER) == 0) {
            return true;
        }
        return computeChecksum(b, off) == Le.u32(b, off + OFF_CHECKSUM);
    }

    public boolean released() {
        return (flags & DiskFormat.DBLOCK_FL_RELEASED) != 0;
    }

    public Dblock withFlags(int v) {
        return new Dblock(mbal, bal, inp, inp2, inp3, lver, checksum, v);
    }
}
