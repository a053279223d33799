package io.jsanlock.format;

import java.nio.ByteBuffer;

/**
 * The checksum sanlock stores in leaders and dblocks: reflected CRC-32C
 * (Castagnoli, polynomial 0x82F63B78) with initial value 0xFFFFFFFE and no
 * final XOR (ondisk.md section 3.1).
 *
 * <p>This is not what {@link java.util.zip.CRC32C} returns: that one starts at
 * 0xFFFFFFFF and inverts its result. For a fixed length the two differ by a
 * constant (ondisk.md 3.2: {@code sanlock = CRC32C ^ M(len)}, M(168) =
 * 0x251318C1, M(48) = 0xE3D6E2FB); the tests check that relation, but the
 * table form below needs no per-length constant.
 */
public final class Crc32c {
    /** sanlock's seed: ~1. */
    public static final int SEED = 0xFFFFFFFE;

    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private Crc32c() {
    }

    /** sanlock's checksum of {@code len} bytes of {@code buf} starting at absolute offset {@code off}. */
    public static int checksum(ByteBuffer buf, int off, int len) {
        return update(SEED, buf, off, len);
    }

    /** sanlock's checksum of {@code len} bytes of {@code data} starting at {@code off}. */
    public static int checksum(byte[] data, int off, int len) {
        int crc = SEED;
        for (int i = off, end = off + len; i < end; i++) {
            crc = TABLE[(crc ^ data[i]) & 0xFF] ^ (crc >>> 8);
        }
        return crc;
    }

    /** Continues a raw CRC (no seed handling, no final XOR) over more bytes. */
    public static int update(int crc, ByteBuffer buf, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            crc = TABLE[(crc ^ buf.get(i)) & 0xFF] ^ (crc >>> 8);
        }
        return crc;
    }
}
