package io.jsanlock.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian field access at absolute offsets of a ByteBuffer, whatever the
 * buffer's own byte order (sanlock's disk format is little-endian on every CPU).
 * Works on heap and direct buffers and never moves the buffer's position.
 */
final class Le {
    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Le() {
    }

    static int u16(ByteBuffer b, int off) {
        return Short.toUnsignedInt((short) U16.get(b, off));
    }

    static int u32(ByteBuffer b, int off) {
        return (int) U32.get(b, off);
    }

    static long u64(ByteBuffer b, int off) {
        return (long) U64.get(b, off);
    }

    static void putU16(ByteBuffer b, int off, int v) {
        U16.set(b, off, (short) v);
    }

    static void putU32(ByteBuffer b, int off, int v) {
        U32.set(b, off, v);
    }

    static void putU64(ByteBuffer b, int off, long v) {
        U64.set(b, off, v);
    }

    static void zero(ByteBuffer b, int off, int len) {
        int end = off + len;
        int i = off;
        for (; i + 8 <= end; i += 8) {
            U64.set(b, i, 0L);
        }
        for (; i < end; i++) {
            b.put(i, (byte) 0);
        }
    }
}
