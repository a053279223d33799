package io.jsanlock.lease;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reusable lease-area buffers (up to 8 MiB each), so acquiring a lease does not
 * allocate a megabyte per ballot. Lock-free; a buffer is owned by one thread
 * between {@link #take} and {@link #give}.
 */
public final class BufferPool {
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final int keep;

    public BufferPool(int keep) {
        this.keep = keep;
    }

    public ByteBuffer take(int capacity) {
        for (int i = 0; i < 4; i++) {
            ByteBuffer b = free.poll();
            if (b == null) {
                break;
            }
            if (b.capacity() >= capacity) {
                b.clear().limit(capacity);
                return b;
            }
        }
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    public void give(ByteBuffer b) {
        if (free.size() < keep) {
            free.offer(b);
        }
    }
}
