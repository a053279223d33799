package io.jsanlock.lease.testing;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.lease.LeaseStorage;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A lease store in a byte array, for tests and for several engines in one JVM.
 * Each call is atomic (like a single sector I/O, and stronger for larger ones);
 * reads beyond the end come back short (EMSGSIZE), as from a truncated file.
 */
public final class MemoryStorage implements LeaseStorage {
    private byte[] bytes;

    public MemoryStorage(int size) {
        this.bytes = new byte[size];
    }

    public MemoryStorage(byte[] image) {
        this.bytes = image.clone();
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException {
        int n = dst.remaining();
        if (offset < 0 || offset + n > bytes.length) {
            throw new SanlockException(SanlockError.EMSGSIZE, "short read at " + offset + " of " + n + " bytes");
        }
        dst.put(bytes, (int) offset, n);
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException {
        int n = src.remaining();
        if (offset < 0 || offset + n > bytes.length) {
            throw new SanlockException(SanlockError.EMSGSIZE, "short write at " + offset + " of " + n + " bytes");
        }
        src.get(bytes, (int) offset, n);
    }

    /** A copy of the bytes [offset, offset+len). */
    public synchronized byte[] copy(long offset, int len) {
        return Arrays.copyOfRange(bytes, (int) offset, (int) offset + len);
    }

    /** Overwrites bytes directly (test setup, corruption). */
    public synchronized void poke(long offset, byte[] data) {
        System.arraycopy(data, 0, bytes, (int) offset, data.length);
    }

    /** Cuts the store to {@code size} bytes (a truncated lease file). */
    public synchronized void truncate(int size) {
        bytes = Arrays.copyOf(bytes, size);
    }

    public synchronized int size() {
        return bytes.length;
    }
}
