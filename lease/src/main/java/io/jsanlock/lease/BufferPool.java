package io.jsanlock.lease;

import io.jsanlock.base.MonotonicClock;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>During a burst the pool keeps up to {@code burstKeep} buffers, and gives the ones
 * beyond {@code keep} back once no burst has needed them for {@code idleNanos}
 * ({@link #trim}, called by the engine's monitor tick). Why: a new buffer costs far more
 * than its ballot's reads — the arena zeroes the megabyte and the first touch of each page
 * faults it in, and freeing it unmaps it again. With 32 python3-sanlock clients acquiring at
 * once and only 4 buffers kept, JFR put 37% of the daemon's Java samples in allocating and
 * zeroing them (bench/scripts/profile-par.sh). Trimmed after the burst, the memory still goes
 * back within a second or so.
 */
public final class BufferPool {
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final Map<ByteBuffer, Arena> arenas = Collections.synchronizedMap(new IdentityHashMap<>());
    private final int keep;
    private final int burstKeep;
    private final long idleNanos;
    private final MonotonicClock clock;
    private final AtomicInteger inUse = new AtomicInteger();
    /** When the pool last had more than {@code keep} buffers out at once. */
    private volatile long lastBurstNanos;
    private final AtomicLong allocated = new AtomicLong();

    /** A pool that keeps {@code keep} free buffers and frees any beyond at once. */
    public BufferPool(int keep) {
        this(keep, keep, 0, MonotonicClock.SYSTEM);
    }

    /**
     * A pool that keeps up to {@code burstKeep} free buffers while bursts need more than
     * {@code keep}, and trims back to {@code keep} once none has for {@code idleNanos}.
     */
    public BufferPool(int keep, int burstKeep, long idleNanos, MonotonicClock clock) {
        if (keep < 0 || burstKeep < keep) {
            throw new IllegalArgumentException("keep " + keep + ", burstKeep " + burstKeep);
        }
        this.keep = keep;
        this.burstKeep = burstKeep;
        this.idleNanos = idleNanos;
        this.clock = clock;
        this.lastBurstNanos = clock.nanos();
    }

    public ByteBuffer take(int capacity) {
        if (inUse.incrementAndGet() > keep) {
            lastBurstNanos = clock.nanos();
        }
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
        try {
            @SuppressWarnings("MustBeClosedChecker") // owned by the pool from here; closed when dropped from it
            Arena arena = Arena.ofShared();
            allocated.incrementAndGet();
            ByteBuffer b = arena.allocate(capacity, 8).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            arenas.put(b, arena);
            return b;
        } catch (RuntimeException | Error e) {
            inUse.decrementAndGet(); // never handed out: nothing will be given back
            throw e;
        }
    }

    public void give(ByteBuffer b) {
        inUse.decrementAndGet();
        if (free.size() < burstKeep) {
            free.offer(b);
        } else {
            release(b);
        }
        if (burstKeep == keep) {
            return;
        }
        trim();
    }

    /**
     * Frees the free buffers beyond {@code keep} once no burst has needed more than
     * {@code keep} for {@code idleNanos}. Cheap when there is nothing to do.
     */
    public void trim() {
        if (free.size() <= keep || clock.nanos() - lastBurstNanos < idleNanos) {
            return;
        }
        while (free.size() > keep) {
            ByteBuffer b = free.poll();
            if (b == null) {
                return;
            }
            release(b);
        }
    }

    /** Free buffers the pool holds now. */
    public int freeCount() {
        return free.size();
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
