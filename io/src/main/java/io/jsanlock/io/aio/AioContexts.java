package io.jsanlock.io.aio;

import org.jspecify.annotations.Nullable;

import io.jsanlock.posix.LinuxAio;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Linux AIO contexts shared by all threads, one borrowed per I/O: the calling thread
 * submits its request and waits for it on the borrowed context itself (no hand-off to
 * another thread), up to its timeout. A request that does not complete in time is
 * <em>abandoned</em>: it stays with the kernel, its slot in the context stays taken and
 * its {@code onLateCompletion} runs when some later {@code io_getevents} on that context
 * returns its event ("reaped", as sanlock does with the events of timed-out requests).
 *
 * <h2>Why this is safe (each shortcut, and the test that catches its failure)</h2>
 * <ul>
 * <li><b>The buffer outlives the request.</b> The kernel DMAs into or out of the caller's
 *     buffer until the request completes, however late. This class never frees or reuses
 *     it: the caller's {@code onLateCompletion} is the only release of an abandoned
 *     request's buffer, and it runs only once the kernel reported the request complete.
 *     (Caught by {@code AioHungDeviceTest}: a read that completes after its timeout must
 *     not write into a buffer reused meanwhile, and an abandoned write must write its own
 *     bytes.)</li>
 * <li><b>A context is used by one thread at a time</b> (taken from the pool, given back
 *     after the wait), so the iocb, event array, timespec and errno state in its memory
 *     need no locks, and no event is ever read by a thread that does not own the context.
 *     The request's own event is recognised by its slot number in {@code aio_data}; an
 *     event of an older abandoned request found on the way is reaped right there.</li>
 * <li><b>Contexts are never destroyed.</b> io_destroy waits for every outstanding request,
 *     so destroying a context with a request stuck on a hung device would hang the
 *     caller; a pool bounded by the peak I/O concurrency ({@link #MAX_CONTEXTS}) costs a
 *     few pages each. The memory of a context (iocbs, events) is never freed for the same
 *     reason: the kernel writes events into it.</li>
 * <li><b>Waits are sliced</b> ({@link #WAIT_SLICE_NANOS}): a thread in io_getevents does not
 *     see a Java interrupt, so it looks at its interrupt status between slices; a slice
 *     longer than any healthy I/O adds no wake-up to a normal one.</li>
 * <li><b>A full or missing context falls back.</b> When every slot of a context is held by
 *     abandoned requests, or no context can be created (io_setup fails: aio-max-nr reached,
 *     seccomp, an old kernel), the caller is told {@link #NOT_SUBMITTED} and uses the
 *     worker-thread path: never a blocked caller because the AIO resources ran out.</li>
 * </ul>
 */
public final class AioContexts {
    /** Requests per context: the one in flight plus abandoned ones still with the kernel. */
    static final int SLOTS = 32;
    /** At most this many contexts (peak number of threads in I/O at once). */
    static final int MAX_CONTEXTS = 256;
    /** Longest single io_getevents wait, so that an interrupt is seen within it. */
    static final long WAIT_SLICE_NANOS = 200_000_000L;
    /** {@link #transfer} did not submit anything: the caller must do the I/O another way. */
    public static final long NOT_SUBMITTED = Long.MIN_VALUE;

    private static final @Nullable String DISABLED_BY;
    private static final ConcurrentLinkedDeque<Context> IDLE = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger CREATED = new AtomicInteger();
    private static final AtomicInteger ABANDONED = new AtomicInteger();
    private static final AtomicLong REAPED = new AtomicLong();
    private static final AtomicLong LAST_IDLE_REAP = new AtomicLong();
    private static volatile @Nullable String unavailable;
    /** {@code -Djsanlock.io.aio=all}: regular-file writes through AIO too (see {@link #forFileWrites()}). */
    private static final boolean FILE_WRITES;

    static {
        String prop = System.getProperty("jsanlock.io.aio");
        String env = System.getenv("JSANLOCK_IO_AIO");
        String off = prop != null ? prop : env;
        DISABLED_BY = off != null && (off.equals("0") || off.equalsIgnoreCase("off") || off.equalsIgnoreCase("false"))
                ? (prop != null ? "-Djsanlock.io.aio=" : "JSANLOCK_IO_AIO=") + off : null;
        FILE_WRITES = "all".equalsIgnoreCase(off);
    }

    /**
     * Whether writes to a regular file (not a block device) go through AIO as well. Not by
     * default: with O_SYNC, the kernel completes an asynchronous direct write to a file
     * (ext4, xfs: iomap) on a workqueue that then syncs, one more thread to schedule per
     * write; measured on ext4 under load (docs/benchmarks.md): 1.1-1.5 ms per 512-byte
     * write against 0.3-0.4 ms for pwrite on an I/O worker. Block devices complete in the
     * bio's end_io (0.2 ms against 0.34 ms), and reads complete without a workqueue on both.
     * {@code -Djsanlock.io.aio=all} (or {@code JSANLOCK_IO_AIO=all}) turns it on, to re-measure.
     */
    public static boolean forFileWrites() {
        return FILE_WRITES;
    }

    /** A thrown-away marker for the slot of the request being waited for (compared by identity). */
    @SuppressWarnings("UnnecessaryLambda") // a sentinel: its identity is the point, it is never run
    private static final Runnable IN_FLIGHT = () -> {
    };

    private AioContexts() {
    }

    /** Thrown when a request was abandoned after its timeout (it completes later, or never). */
    public static final class TimedOut extends Exception {
        private static final long serialVersionUID = 1L;

        TimedOut() {
            super(null, null, false, false);
        }
    }

    /**
     * Null when Linux AIO can be used; otherwise why not (switched off, unknown
     * architecture, io_setup refused). Tries to create the first context.
     */
    public static @Nullable String unavailableReason() {
        if (DISABLED_BY != null) {
            return "switched off by " + DISABLED_BY;
        }
        if (LinuxAio.UNSUPPORTED_ARCH != null) {
            return "no AIO system call numbers for " + LinuxAio.UNSUPPORTED_ARCH;
        }
        if (unavailable == null && CREATED.get() == 0) {
            Context c = create();
            if (c != null) {
                IDLE.offerFirst(c);
            }
        }
        return unavailable;
    }

    /** Abandoned requests not yet reaped (for tests and diagnostics). */
    public static int abandoned() {
        return ABANDONED.get();
    }

    /** Abandoned requests reaped since start (for tests and diagnostics). */
    public static long reaped() {
        return REAPED.get();
    }

    /**
     * Submits one pread ({@code write} false) or pwrite of {@code len} bytes of {@code buf} at
     * {@code offset} of {@code fd} from the calling thread and waits for it up to
     * {@code timeoutNanos} ({@code <= 0}: no limit).
     *
     * @param onLateCompletion runs (on whatever thread reaps it) once the kernel completed a
     *        request abandoned by this call: only then may {@code buf} be freed or reused
     * @return the bytes transferred, or the negated errno of the request, or
     *         {@link #NOT_SUBMITTED} when AIO is unavailable for it (then nothing was
     *         submitted and {@code onLateCompletion} never runs)
     * @throws TimedOut when the timeout passed first: the request was abandoned
     * @throws InterruptedException when interrupted while waiting: likewise abandoned
     */
    public static long transfer(int fd, boolean write, MemorySegment buf, long len, long offset, long timeoutNanos,
            Runnable onLateCompletion) throws TimedOut, InterruptedException {
        if (DISABLED_BY != null || unavailable != null) {
            return NOT_SUBMITTED;
        }
        Context c = borrow();
        if (c == null) {
            return NOT_SUBMITTED;
        }
        try {
            return c.transfer(fd, write, buf, len, offset, timeoutNanos, onLateCompletion);
        } finally {
            giveBack(c);
        }
    }

    private static @Nullable Context borrow() {
        if (ABANDONED.get() > 0) {
            reapIdle();
        }
        Context c = IDLE.pollFirst();
        if (c != null && c.freeSlot() < 0) {
            c.reap(0);
            if (c.freeSlot() < 0) {
                IDLE.offerLast(c); // every slot held by a hung request: leave it to be reaped later
                c = null;
            }
        }
        return c != null ? c : create();
    }

    private static void giveBack(Context c) {
        if (c.freeSlot() >= 0) {
            IDLE.offerFirst(c); // LIFO: the warmest context first
        } else {
            IDLE.offerLast(c);
        }
    }

    /**
     * Reaps what the kernel completed on idle contexts, at most every 100 ms, while there
     * are abandoned requests: their buffers and descriptors are released even when the
     * context they sit on is not borrowed again soon.
     */
    private static void reapIdle() {
        long now = System.nanoTime();
        long last = LAST_IDLE_REAP.get();
        if (now - last < 100_000_000L || !LAST_IDLE_REAP.compareAndSet(last, now)) {
            return;
        }
        reapIdleNow();
    }

    /** Reaps completed abandoned requests on every idle context now; returns those still abandoned. */
    public static int reapIdleNow() {
        int n = IDLE.size();
        for (int i = 0; i < n; i++) {
            Context c = IDLE.pollLast();
            if (c == null) {
                break;
            }
            if (c.abandonedCount > 0) {
                c.reap(0);
            }
            giveBack(c);
        }
        return ABANDONED.get();
    }

    private static @Nullable Context create() {
        while (true) {
            int n = CREATED.get();
            if (n >= MAX_CONTEXTS) {
                return null;
            }
            if (CREATED.compareAndSet(n, n + 1)) {
                break;
            }
        }
        long id;
        try (Arena a = Arena.ofConfined()) {
            id = LinuxAio.ioSetup(a.allocate(LinuxAio.CALL_STATE), SLOTS);
        }
        if (id <= 0) {
            CREATED.decrementAndGet();
            if (CREATED.get() == 0 && id != -LinuxAio.EAGAIN) {
                unavailable = "io_setup failed: errno " + -id;
            }
            return null;
        }
        // Global arena: the kernel writes events into this memory for as long as the
        // context exists, and contexts are never destroyed (see the class comment).
        MemorySegment mem = Arena.global().allocate(Context.BYTES, 64);
        return new Context(id, mem, mem.asSlice(Context.STATE_AT, LinuxAio.CALL_STATE.byteSize()));
    }

    /** One kernel AIO context and its memory; used by one thread at a time. */
    private static final class Context {
        static final long IOCBS_AT = 0;
        static final long EVENTS_AT = IOCBS_AT + SLOTS * LinuxAio.IOCB_SIZE;
        static final long IOCBP_AT = EVENTS_AT + SLOTS * LinuxAio.EVENT_SIZE;
        static final long TIMESPEC_AT = IOCBP_AT + 8;
        static final long STATE_AT = TIMESPEC_AT + 16;
        static final long BYTES = STATE_AT + 64;

        final long id;
        final MemorySegment mem;
        final MemorySegment iocbs;
        final MemorySegment events;
        final MemorySegment iocbp;
        final MemorySegment timespec;
        final MemorySegment state;
        /** Per slot: null when free, {@link #IN_FLIGHT} while waited for, else the abandoned request's completion. */
        final Runnable[] slots = new Runnable[SLOTS];
        int abandonedCount;

        Context(long id, MemorySegment mem, MemorySegment state) {
            this.id = id;
            this.mem = mem;
            this.iocbs = mem.asSlice(IOCBS_AT, SLOTS * LinuxAio.IOCB_SIZE);
            this.events = mem.asSlice(EVENTS_AT, SLOTS * LinuxAio.EVENT_SIZE);
            this.iocbp = mem.asSlice(IOCBP_AT, 8);
            this.timespec = mem.asSlice(TIMESPEC_AT, 16);
            this.state = state;
        }

        int freeSlot() {
            for (int i = 0; i < SLOTS; i++) {
                if (slots[i] == null) {
                    return i;
                }
            }
            return -1;
        }

        long transfer(int fd, boolean write, MemorySegment buf, long len, long offset, long timeoutNanos,
                Runnable onLateCompletion) throws TimedOut, InterruptedException {
            int slot = freeSlot();
            if (slot < 0) {
                return NOT_SUBMITTED;
            }
            MemorySegment iocb = iocbs.asSlice(slot * LinuxAio.IOCB_SIZE, LinuxAio.IOCB_SIZE);
            iocb.fill((byte) 0);
            iocb.set(ValueLayout.JAVA_LONG, LinuxAio.IOCB_DATA, slot);
            iocb.set(ValueLayout.JAVA_SHORT, LinuxAio.IOCB_LIO_OPCODE, write ? LinuxAio.IOCB_CMD_PWRITE : LinuxAio.IOCB_CMD_PREAD);
            iocb.set(ValueLayout.JAVA_INT, LinuxAio.IOCB_FILDES, fd);
            iocb.set(ValueLayout.JAVA_LONG, LinuxAio.IOCB_BUF, buf.address());
            iocb.set(ValueLayout.JAVA_LONG, LinuxAio.IOCB_NBYTES, len);
            iocb.set(ValueLayout.JAVA_LONG, LinuxAio.IOCB_OFFSET, offset);
            iocbp.set(ValueLayout.JAVA_LONG, 0, iocb.address());
            long deadline = System.nanoTime() + timeoutNanos;
            long r;
            do {
                r = LinuxAio.ioSubmit(state, id, 1, iocbp);
            } while (r == -LinuxAio.EINTR);
            if (r != 1) {
                // Nothing submitted (EAGAIN: out of kernel resources, EINVAL: this file takes no
                // AIO, ...): the caller does it the other way.
                return NOT_SUBMITTED;
            }
            slots[slot] = IN_FLIGHT;
            while (true) {
                long wait = WAIT_SLICE_NANOS;
                if (timeoutNanos > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        abandon(slot, onLateCompletion);
                        throw new TimedOut();
                    }
                    wait = Math.min(wait, left);
                }
                long res = await(slot, wait);
                if (res != Long.MIN_VALUE) {
                    return res;
                }
                if (Thread.interrupted()) {
                    abandon(slot, onLateCompletion);
                    throw new InterruptedException("interrupted while waiting for an AIO request");
                }
            }
        }

        private void abandon(int slot, Runnable onLateCompletion) {
            slots[slot] = onLateCompletion;
            abandonedCount++;
            ABANDONED.incrementAndGet();
        }

        /**
         * One io_getevents of up to {@code waitNanos}: reaps the events of abandoned requests
         * and returns the result of the request in {@code mine} (Long.MIN_VALUE: not yet).
         */
        private long await(int mine, long waitNanos) {
            timespec.set(ValueLayout.JAVA_LONG, 0, waitNanos / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, waitNanos % 1_000_000_000L);
            long n = LinuxAio.ioGetevents(state, id, 1, SLOTS, events, timespec);
            if (n == -LinuxAio.EINTR) {
                return Long.MIN_VALUE;
            }
            if (n < 0) {
                // EFAULT/EINVAL would be a bug here; the request stays in flight, so keep
                // waiting for it rather than free its buffer (the deadline still applies).
                System.getLogger(AioContexts.class.getName()).log(System.Logger.Level.ERROR, "io_getevents failed: errno {0}", -n);
                java.util.concurrent.locks.LockSupport.parkNanos(Math.min(waitNanos, 10_000_000L));
                return Long.MIN_VALUE;
            }
            long result = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                int slot = (int) events.get(ValueLayout.JAVA_LONG, i * LinuxAio.EVENT_SIZE + LinuxAio.EVENT_DATA);
                long res = events.get(ValueLayout.JAVA_LONG, i * LinuxAio.EVENT_SIZE + LinuxAio.EVENT_RES);
                if (slot == mine) {
                    slots[slot] = null;
                    result = res;
                } else {
                    completeAbandoned(slot);
                }
            }
            return result;
        }

        /** Non-blocking (or up to {@code waitNanos}) reap of abandoned requests only. */
        void reap(long waitNanos) {
            if (abandonedCount == 0) {
                return;
            }
            timespec.set(ValueLayout.JAVA_LONG, 0, waitNanos / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, waitNanos % 1_000_000_000L);
            long n = LinuxAio.ioGetevents(state, id, 0, SLOTS, events, timespec);
            for (int i = 0; i < n; i++) {
                completeAbandoned((int) events.get(ValueLayout.JAVA_LONG, i * LinuxAio.EVENT_SIZE + LinuxAio.EVENT_DATA));
            }
        }

        private void completeAbandoned(int slot) {
            Runnable done = slots[slot];
            slots[slot] = null;
            if (done == null || done == IN_FLIGHT) {
                return; // cannot happen: only submitted slots produce events
            }
            abandonedCount--;
            ABANDONED.decrementAndGet();
            REAPED.incrementAndGet();
            try {
                done.run();
            } catch (RuntimeException | Error e) {
                System.getLogger(AioContexts.class.getName()).log(System.Logger.Level.ERROR, "completion of an abandoned AIO request failed", e);
            }
        }
    }
}
