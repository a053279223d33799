package io.jsanlock.testkit;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * One manual clock and scheduler for multi-threaded tests of the engine: time stands still
 * until the test calls {@link #advance}, and then moves from one due instant to the next —
 * a task scheduled for second 1006.2 runs with the clock reading exactly 1006.2 s, however
 * loaded the machine is. Give the same instance as the engine's clock and scheduler (and to
 * the storage doubles that wait on a clock), so every wait of the protocol is on it.
 *
 * <p>{@link #advance} is deterministic: at each instant it hands the due tasks to their
 * executors, wakes the threads whose {@link #sleepNanos} is over, and then waits (in real
 * time) until every task it started has finished or is itself asleep on this clock, before
 * time moves on. So when {@code advance} returns, everything due by then has happened: the
 * renewals, the monitor's checks, the listener calls. Threads the scheduler did not start
 * (the test's own) may sleep on the clock too; they are woken on time but not waited for.
 * A task that blocks on something other than this clock while time stands still would stall
 * the test: {@link #advance} fails after {@link #QUIET_TIMEOUT} of real time saying so.
 */
public final class ManualScheduler implements MonotonicClock, Scheduler {
    /** How long {@link #advance} waits in real time for the started tasks to finish or sleep. */
    public static final Duration QUIET_TIMEOUT = Duration.ofSeconds(60);

    private final Object lock = new Object();
    private final PriorityQueue<Due> queue = new PriorityQueue<>();
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> false);
    private volatile long now;
    private long sequence;
    /** Tasks started by this scheduler that are running and not asleep on this clock. */
    private int busy;

    /** Something due at an instant: a task to hand to its executor, or a sleeping thread to wake. */
    private static final class Due implements Comparable<Due> {
        final long at;
        final long seq;
        final Executor executor;
        final Runnable task;
        final CompletableFuture<Void> future;
        final boolean sleeperInTask;
        boolean woken;

        Due(long at, long seq, Executor executor, Runnable task, CompletableFuture<Void> future, boolean sleeperInTask) {
            this.at = at;
            this.seq = seq;
            this.executor = executor;
            this.task = task;
            this.future = future;
            this.sleeperInTask = sleeperInTask;
        }

        @Override
        public int compareTo(Due o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    public ManualScheduler(long startSeconds) {
        this.now = startSeconds * 1_000_000_000L;
    }

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public Future<?> schedule(Executor executor, Runnable task, long delayNanos) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (lock) {
            if (delayNanos <= 0) {
                dispatch(executor, task, f);
            } else {
                queue.add(new Due(now + delayNanos, ++sequence, executor, task, f, false));
            }
        }
        return f;
    }

    /** Under {@link #lock}: counts the task busy until it ends. */
    private void dispatch(Executor executor, Runnable task, CompletableFuture<Void> f) {
        if (f.isDone()) {
            return; // cancelled
        }
        busy++;
        try {
            executor.execute(() -> {
                inTask.set(true);
                try {
                    if (!f.isDone()) {
                        task.run();
                        f.complete(null);
                    }
                } catch (RuntimeException | Error e) {
                    f.completeExceptionally(e);
                    throw e;
                } finally {
                    inTask.set(false);
                    synchronized (lock) {
                        busy--;
                        lock.notifyAll();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            busy--; // the executor was shut down: the task is dropped, as on a real scheduler
            f.cancel(false);
        }
    }

    /** Blocks until the test has advanced the clock by {@code durationNanos}. */
    @Override
    public void sleepNanos(long durationNanos) throws InterruptedException {
        if (durationNanos <= 0) {
            return;
        }
        boolean task = inTask.get();
        synchronized (lock) {
            Due d = new Due(now + durationNanos, ++sequence, null, null, null, task);
            queue.add(d);
            if (task) {
                busy--;
                lock.notifyAll();
            }
            try {
                while (!d.woken) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                if (!d.woken) {
                    queue.remove(d);
                    if (task) {
                        busy++;
                    }
                }
                throw e;
            }
        }
    }

    /**
     * Moves time forward by {@code d}, running everything that falls due on the way at its
     * exact instant, and returns once all of it has finished or sleeps again.
     */
    public void advance(Duration d) {
        synchronized (lock) {
            long target = now + d.toNanos();
            awaitQuiet();
            while (true) {
                Due next = queue.peek();
                if (next == null || next.at > target) {
                    break;
                }
                now = Math.max(now, next.at);
                while (queue.peek() != null && queue.peek().at <= now) {
                    Due due = queue.poll();
                    if (due.task != null) {
                        dispatch(due.executor, due.task, due.future);
                    } else {
                        due.woken = true;
                        if (due.sleeperInTask) {
                            busy++;
                        }
                    }
                }
                lock.notifyAll();
                awaitQuiet();
            }
            now = Math.max(now, target);
        }
    }

    /**
     * Advances in {@code step}s until {@code done} holds; fails once {@code limit} of clock
     * time has passed without it. Returns the clock time that passed.
     */
    public Duration advanceUntil(String what, Duration step, Duration limit, BooleanSupplier done) {
        long start = now;
        while (!done.getAsBoolean()) {
            if (now - start >= limit.toNanos()) {
                throw new AssertionError(what + ": not within " + limit.toMillis() + " ms of manual clock time");
            }
            advance(step);
        }
        return Duration.ofNanos(now - start);
    }

    /**
     * Runs {@code call} on {@code executor} as a task of this scheduler: a call that waits on
     * the clock (a join, an acquire polling an owner) runs while the test advances time, and
     * {@link #advance} waits for it like for any other task.
     */
    public <T> CompletableFuture<T> submit(Executor executor, Callable<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(executor, () -> {
            try {
                f.complete(call.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /**
     * Advances in {@code step}s until {@code f} is done (failing once {@code limit} of clock time
     * has passed) and returns its value, or throws what it failed with.
     */
    public <T> T advanceUntilDone(String what, Duration step, Duration limit, CompletableFuture<T> f) throws Exception {
        advanceUntil(what, step, limit, f::isDone);
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** Under {@link #lock}: waits until no task started here runs (each finished or sleeps on this clock). */
    private void awaitQuiet() {
        long end = System.nanoTime() + QUIET_TIMEOUT.toNanos();
        while (busy > 0) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(busy + " task(s) still running after " + QUIET_TIMEOUT.toSeconds()
                        + " s of real time with the manual clock standing still: blocked on something other than it?");
            }
            try {
                lock.wait(left / 1_000_000L + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for scheduled tasks", e);
            }
        }
    }

    public void advanceSeconds(long s) {
        advance(Duration.ofSeconds(s));
    }
}
