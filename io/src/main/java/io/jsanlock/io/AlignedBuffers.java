package io.jsanlock.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reusable 4096-aligned native buffers for O_DIRECT transfers.
 *
 * <p>Why: a fresh buffer per I/O meant, for every 1 MiB ballot read, a 1 MiB
 * malloc (an mmap), 256 page faults, a 1 MiB memset, and memory returned only
 * when a GC happened to run the cleaner. Measured by bin/bench on a sparse file:
 * 13-38 ms per 1 MiB read through DirectFileStorage against 2 ms for
 * {@code dd iflag=direct}, and a daemon RSS of 534 MiB after 100 acquires.
 *
 * <p>Ownership is unchanged from the fresh-buffer design: a buffer is shared by
 * exactly two parties, the caller and the I/O task, and goes back to the pool
 * only when <em>both</em> are done with it ({@link Loan#done()} twice). So a
 * read abandoned after a timeout still owns its buffer until its system call
 * returns, and nothing else can be handed that memory meanwhile.
 *
 * <p>Buffers come in power-of-two classes (4 KiB .. the largest request); each
 * class keeps at most {@link #keepBytes} bytes (at least 4 buffers) free when idle, and up
 * to {@link #BURST_KEEP_BYTES} through a burst of parallel I/O; a buffer beyond that is
 * freed at once (each buffer has its own shared arena). What a burst left is trimmed back
 * once no I/O has needed more for half a second ({@link #trim}: the lease engine's monitor
 * tick calls it through {@link DirectFileStorage#trimBuffers}). Why keep them through the
 * burst: with 32 python3-sanlock clients acquiring at once, allocating (and zeroing) 1 MiB
 * buffers beyond the four kept was the daemon's largest Java cost (JFR,
 * bench/scripts/profile-par.sh).
 */
final class AlignedBuffers {
    static final int ALIGN = 4096;
    private static final int MIN_CLASS = 12; // 4 KiB
    private static final int CLASSES = 31 - MIN_CLASS;
    private static final long keepBytes = 4L << 20;
    private static final long BURST_KEEP_BYTES = 32L << 20;
    private static final long IDLE_NANOS = 500_000_000L;
    private static final AtomicInteger IN_USE = new AtomicInteger();
    /** System.nanoTime when more than the idle keep of one class was last out at once. */
    private static volatile long lastBurstNanos = System.nanoTime();

    private static final ConcurrentLinkedQueue<Loan>[] FREE = newQueues();
    private static final AtomicInteger[] FREE_COUNT = new AtomicInteger[CLASSES];

    static {
        for (int i = 0; i < CLASSES; i++) {
            FREE_COUNT[i] = new AtomicInteger();
        }
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentLinkedQueue<Loan>[] newQueues() {
        ConcurrentLinkedQueue<Loan>[] q = (ConcurrentLinkedQueue<Loan>[]) new ConcurrentLinkedQueue<?>[CLASSES];
        for (int i = 0; i < CLASSES; i++) {
            q[i] = new ConcurrentLinkedQueue<>();
        }
        return q;
    }

    private AlignedBuffers() {
    }

    private static int classOf(int len) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(len, 1) - 1);
        return Math.max(bits, MIN_CLASS) - MIN_CLASS;
    }

    /** A buffer of at least {@code len} bytes (contents unspecified), shared by a caller and one I/O task. */
    static Loan take(int len) {
        int c = classOf(len);
        if (IN_USE.incrementAndGet() > limit(c, keepBytes)) {
            lastBurstNanos = System.nanoTime();
        }
        Loan l = FREE[c].poll();
        if (l != null) {
            FREE_COUNT[c].decrementAndGet();
            l.holders.set(2);
            return l;
        }
        try {
            @SuppressWarnings("MustBeClosedChecker") // the Loan owns the arena; it is closed when not pooled
            Arena arena = Arena.ofShared();
            return new Loan(arena, arena.allocate(1L << (c + MIN_CLASS), ALIGN), c);
        } catch (RuntimeException | Error e) {
            IN_USE.decrementAndGet(); // never lent: nothing will come back
            throw e;
        }
    }

    /** How many free buffers of class {@code c} fit in {@code bytes} (at least 4). */
    private static int limit(int c, long bytes) {
        return (int) Math.max(4, bytes / (1L << (c + MIN_CLASS)));
    }

    /** Frees what a burst left beyond the idle keep, once no burst has needed it for half a second. */
    static void trim() {
        if (System.nanoTime() - lastBurstNanos < IDLE_NANOS) {
            return;
        }
        for (int c = 0; c < CLASSES; c++) {
            int limit = limit(c, keepBytes);
            while (FREE_COUNT[c].get() > limit) {
                Loan l = FREE[c].poll();
                if (l == null) {
                    break;
                }
                FREE_COUNT[c].decrementAndGet();
                l.arena.close();
            }
        }
    }

    private static void give(Loan l) {
        IN_USE.decrementAndGet();
        int c = l.sizeClass;
        if (FREE_COUNT[c].incrementAndGet() <= limit(c, BURST_KEEP_BYTES)) {
            FREE[c].offer(l);
        } else {
            // Beyond what we keep (a burst of parallel ballots): free it now rather than at
            // some later GC, so a burst does not leave the daemon's RSS high.
            FREE_COUNT[c].decrementAndGet();
            l.arena.close();
        }
    }

    /** A borrowed buffer; returned to the pool at the second {@link #done()}. */
    static final class Loan {
        final MemorySegment segment;
        private final Arena arena;
        private final int sizeClass;
        private final AtomicInteger holders = new AtomicInteger(2);

        private Loan(Arena arena, MemorySegment segment, int sizeClass) {
            this.arena = arena;
            this.segment = segment;
            this.sizeClass = sizeClass;
        }

        /** One of the two parties (caller, I/O task) is finished with the buffer. */
        void done() {
            int left = holders.decrementAndGet();
            if (left == 0) {
                give(this);
            } else if (left < 0) {
                throw new IllegalStateException("buffer returned twice");
            }
        }
    }
}
