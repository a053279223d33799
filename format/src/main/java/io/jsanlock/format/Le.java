package io.jsanlock.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian field access at absolute offsets of a ByteBuffer, whatever the
 * buffer's own byte order (sanlock's disk format is little-endian on every CPU).
 * Works on heap and direct buffers and never moves the buffer's position.
 */
final class Le {
    // Why not byteBufferViewVarHandle (as before): the daemon runs C1 only (bin/env.sh), and
    // C1 does not inline a VarHandle access: every field went through the method-handle
    // linkage (java.lang.invoke frames in the JFR profile of an acquire+release, docs/
    // benchmarks.md). ByteBuffer's absolute getters are plain calls down to Unsafe, which
    // C1 intrinsifies. The result is the same: little-endian whatever b.order() is, the
    // position untouched.

    private Le() {
    }

    private static boolean swap(ByteBuffer b) {
        return b.order() != ByteOrder.LITTLE_ENDIAN;
    }

    static int u16(ByteBuffer b, int off) {
        short v = b.getShort(off);
        return Short.toUnsignedInt(swap(b) ? Short.reverseBytes(v) : v);
    }

    static int u32(ByteBuffer b, int off) {
        int v = b.getInt(off);
        return swap(b) ? Integer.reverseBytes(v) : v;
    }

    static long u64(ByteBuffer b, int off) {
        long v = b.getLong(off);
        return swap(b) ? Long.reverseBytes(v) : v;
    }

    static void putU16(ByteBuffer b, int off, int v) {
        b.putShort(off, swap(b) ? Short.reverseBytes((short) v) : (short) v);
    }

    static void putU32(ByteBuffer b, int off, int v) {
        b.putInt(off, swap(b) ? Integer.reverseBytes(v) : v);
    }

    static void putU64(ByteBuffer b, int off, long v) {
        b.putLong(off, swap(b) ? Long.reverseBytes(v) : v);
    }

    static void zero(ByteBuffer b, int off, int len) {
        int end = off + len;
        int i = off;
        for (; i + 8 <= end; i += 8) {
            b.putLong(i, 0L);
        }
        for (; i < end; i++) {
            b.put(i, (byte) 0);
        }
    }
}
