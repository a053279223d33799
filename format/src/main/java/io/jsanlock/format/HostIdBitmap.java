package io.jsanlock.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The 256-byte host-id bitmap at byte 256 of a delta-lease sector (ondisk.md
 * 2.3): host_id h (1-based) is bit (h-1)%8 of byte (h-1)/8. A host sets bit h
 * in its own delta lease to ask host h to look at a request or host event.
 *
 * <p>Static methods work in place on a sector buffer (no allocation); an
 * instance is a mutable copy for building or comparing bitmaps.
 */
public final class HostIdBitmap {
    /** Highest host_id a bitmap can name. */
    public static final int MAX_HOST_ID = DiskFormat.HOST_BITMAP_LEN * 8;

    private final byte[] bits = new byte[DiskFormat.HOST_BITMAP_LEN];

    /** True when host {@code hostId}'s bit is set in the sector at {@code sectorOff}. */
    public static boolean isSet(ByteBuffer sector, int sectorOff, int hostId) {
        checkHostId(hostId);
        int i = hostId - 1;
        return (sector.get(sectorOff + DiskFormat.HOST_BITMAP_OFFSET + i / 8) & (1 << (i % 8))) != 0;
    }

    /** Sets or clears host {@code hostId}'s bit in the sector at {@code sectorOff}. */
    public static void set(ByteBuffer sector, int sectorOff, int hostId, boolean value) {
        checkHostId(hostId);
        int i = hostId - 1;
        int at = sectorOff + DiskFormat.HOST_BITMAP_OFFSET + i / 8;
        int b = sector.get(at);
        sector.put(at, (byte) (value ? b | (1 << (i % 8)) : b & ~(1 << (i % 8))));
    }

    /** Copies the bitmap out of the sector at {@code sectorOff}. */
    public static HostIdBitmap decode(ByteBuffer sector, int sectorOff) {
        HostIdBitmap m = new HostIdBitmap();
        sector.get(sectorOff + DiskFormat.HOST_BITMAP_OFFSET, m.bits);
        return m;
    }

    /** Writes this bitmap into the sector at {@code sectorOff}. */
    public void encode(ByteBuffer sector, int sectorOff) {
        sector.put(sectorOff + DiskFormat.HOST_BITMAP_OFFSET, bits);
    }

    public boolean isSet(int hostId) {
        checkHostId(hostId);
        int i = hostId - 1;
        return (bits[i / 8] & (1 << (i % 8))) != 0;
    }

    public HostIdBitmap set(int hostId, boolean value) {
        checkHostId(hostId);
        int i = hostId - 1;
        bits[i / 8] = (byte) (value ? bits[i / 8] | (1 << (i % 8)) : bits[i / 8] & ~(1 << (i % 8)));
        return this;
    }

    public boolean isEmpty() {
        for (byte b : bits) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The host ids whose bits are set, ascending. */
    public int[] hostIds() {
        int n = 0;
        for (byte b : bits) {
            n += Integer.bitCount(b & 0xFF);
        }
        int[] ids = new int[n];
        int k = 0;
        for (int i = 0; i < MAX_HOST_ID; i++) {
            if ((bits[i / 8] & (1 << (i % 8))) != 0) {
                ids[k++] = i + 1;
            }
        }
        return ids;
    }

    private static void checkHostId(int hostId) {
        if (hostId < 1 || hostId > MAX_HOST_ID) {
            throw new IllegalArgumentException("host_id " + hostId + " outside 1.." + MAX_HOST_ID);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostIdBitmap m && Arrays.equals(bits, m.bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return Arrays.toString(hostIds());
    }
}
