package io.jsanlock.testkit;

import io.jsanlock.base.SanlockException;
import io.jsanlock.lease.LeaseStorage;
import java.nio.ByteBuffer;

/**
 * The io module's in-memory storage seen as {@link LeaseStorage}, plus the two
 * test conveniences the protocol tests need: copy bytes out for assertions and
 * poke bytes in (another host's write, corruption) at any offset.
 */
public final class MemoryStorage implements LeaseStorage {
    private static final long T = 10_000;
    private final MemorySectorStorage store;
    private final LeaseStorage lease;

    public MemoryStorage(int size) {
        this.store = new MemorySectorStorage("memory", 512, size, false);
        this.lease = LeaseStorage.of(store);
    }

    /** A store holding a copy of {@code image} (e.g. a sanlock-written vector). */
    public MemoryStorage(byte[] image) {
        this(image.length);
        poke(0, image);
    }

    @Override
    public void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException {
        lease.read(offset, dst, timeoutNanos);
    }

    @Override
    public void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException {
        lease.write(offset, src, timeoutNanos);
    }

    /** A copy of the bytes [offset, offset+len). */
    public byte[] copy(long offset, int len) {
        long start = offset - offset % 512;
        int span = (int) (((offset + len + 511) / 512) * 512 - start);
        ByteBuffer b = ByteBuffer.allocate(span);
        try {
            store.readFully(start, b, T);
        } catch (SanlockException e) {
            throw new IllegalStateException(e);
        }
        byte[] out = new byte[len];
        b.get((int) (offset - start), out);
        return out;
    }

    /** Overwrites bytes at any offset (read-modify-write of the covering sectors). */
    public void poke(long offset, byte[] data) {
        long start = offset - offset % 512;
        int span = (int) (((offset + data.length + 511) / 512) * 512 - start);
        ByteBuffer b = ByteBuffer.wrap(copy(start, span));
        b.put((int) (offset - start), data);
        try {
            store.write(start, b, T);
        } catch (SanlockException e) {
            throw new IllegalStateException(e);
        }
    }

    public int size() {
        return (int) store.size();
    }
}
