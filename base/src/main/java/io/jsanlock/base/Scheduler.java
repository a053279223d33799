package io.jsanlock.base;

import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * When background work runs, on the same time scale as a {@link MonotonicClock} (as Caffeine
 * injects a {@code Scheduler} beside its {@code Ticker}). The scheduler only decides when; the
 * work runs on the executor it is given, so a slow task (a renewal waiting for its I/O) never
 * delays another one's start. Injected so protocol timing can be tested on a clock a test
 * advances by hand ({@code io.jsanlock.testkit.ManualScheduler}), where every scheduled task
 * runs at an exact, known instant.
 */
public interface Scheduler {
    /**
     * Hands {@code task} to {@code executor} once {@code delayNanos} have passed on this
     * scheduler's clock (at once, on the calling thread's executor hand-off, when the delay is
     * 0 or less). Cancelling the returned future before then keeps the task from running.
     */
    Future<?> schedule(Executor executor, Runnable task, long delayNanos);

    /** Hands {@code task} to {@code executor} now, as work this scheduler knows of (a manual one waits for it). */
    default void execute(Executor executor, Runnable task) {
        schedule(executor, task, 0);
    }
}
