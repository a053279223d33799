package io.jsanlock.base;

import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Scheduler} on any {@link MonotonicClock}: one timer thread waits with the clock's
 * own {@code sleepNanos} until the earliest task is due and hands it to its executor. On
 * {@link MonotonicClock#SYSTEM} that is an ordinary timer; on a clock running faster than real
 * time (a test's scaled clock) the delays run at the clock's rate, so clock and scheduler
 * always agree. An earlier task scheduled while the timer sleeps wakes it (an interrupt of
 * the timer thread only, which owns nothing else). {@link #close()} stops the timer; tasks
 * not yet due are dropped.
 */
public final class ClockScheduler implements Scheduler, AutoCloseable {
    private final MonotonicClock clock;
    private final PriorityQueue<Timed> queue = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Thread timer;
    private volatile boolean closed;

    private record Timed(long dueNanos, long seq, Executor executor, Runnable task, CompletableFuture<Void> future)
            implements Comparable<Timed> {
        @Override
        public int compareTo(Timed o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0); // monotonic nanos may wrap: compare differences
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    public ClockScheduler(MonotonicClock clock, String threadName) {
        this.clock = clock;
        this.timer = new Thread(this::run, threadName);
        timer.setDaemon(true);
        timer.start();
    }

    @Override
    public Future<?> schedule(Executor executor, Runnable task, long delayNanos) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (delayNanos <= 0) {
            dispatch(executor, task, f);
            return f;
        }
        Timed t = new Timed(clock.nanos() + delayNanos, sequence.incrementAndGet(), executor, task, f);
        boolean earliest;
        synchronized (queue) {
            if (closed) {
                f.cancel(false);
                return f;
            }
            queue.add(t);
            earliest = queue.peek() == t;
        }
        if (earliest) {
            timer.interrupt();
        }
        return f;
    }

    private static void dispatch(Executor executor, Runnable task, CompletableFuture<Void> f) {
        if (f.isDone()) {
            return; // cancelled
        }
        try {
            executor.execute(() -> {
                if (!f.isDone()) {
                    try {
                        task.run();
                        f.complete(null);
                    } catch (RuntimeException | Error e) {
                        f.completeExceptionally(e);
                        throw e;
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new CancellationException("executor shut down"));
        }
    }

    private void run() {
        while (!closed) {
            Timed next;
            long wait;
            synchronized (queue) {
                next = queue.peek();
                wait = next == null ? 1_000_000_000L : next.dueNanos - clock.nanos();
                if (next != null && wait <= 0) {
                    queue.poll();
                }
            }
            if (next != null && wait <= 0) {
                dispatch(next.executor, next.task, next.future);
                continue;
            }
            try {
                clock.sleepNanos(wait);
            } catch (InterruptedException e) {
                // an earlier task arrived, or close(): look again
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (queue) {
            for (Timed t : queue) {
                t.future.cancel(false);
            }
            queue.clear();
        }
        timer.interrupt();
    }
}
