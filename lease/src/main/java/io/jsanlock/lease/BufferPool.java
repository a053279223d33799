package io.jsanlock.lease;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reusable lease-area buffers (up to 8 MiB each), so acquiring a lease does not
 * allocate a megabyte per ballot. Lock-free; a buffer is owned by one thread
 * between {@link #take} and {@link #give}.
 *
 * <p>The buffers live off the Java heap, each in its own arena, and a buffer the
 * pool does not keep is freed at once. Why: under a burst of parallel ballots the
 * buffers beyond {@code keep} used to become garbage; as 1 MiB heap arrays they
 * went straight to the old generation, which the daemon's SerialGC collects only
 * when it is full, so every burst grew the heap to -Xmx and left it committed
 * (bin/bench: 82 MiB of heap after a 32-client pass with 100 leases held). Freed
 * explicitly, the memory goes back at the end of the burst instead.
 */
public final class BufferPool {
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final Map<ByteBuffer, Arena> arenas = Collections.synchronizedMap(new IdentityHashMap<>());
    private final int keep;
    private final AtomicLong allocated = new AtomicLong();

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
            release(b);
        }
        @SuppressWarnings("MustBeClosedChecker") // owned by the pool from here; closed when dropped from it
        Arena arena = Arena.ofShared();
        allocated.incrementAndGet();
        ByteBuffer b = arena.allocate(capacity, 8).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        arenas.put(b, arena);
        return b;
    }

    public void give(ByteBuffer b) {
        if (free.size() < keep) {
            free.offer(b);
        } else {
            release(b);
        }
    }

    /** How many buffers this pool has allocated so far (reuse keeps it at the peak number in use). */
    public long allocated() {
        return allocated.get();
    }

    /** Frees a buffer nobody owns any more (its owner gave it back). */
    private void release(ByteBuffer b) {
        Arena arena = arenas.remove(b);
        if (arena != null) {
            arena.close();
        }
    }
}
