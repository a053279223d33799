package io.jsanlock.testkit;

import io.jsanlock.base.MonotonicClock;

/**
 * A real-time clock running {@code factor} times faster than the system's, for
 * multi-threaded tests that must exercise the real protocol waits (host_dead,
 * renewal intervals) in a fraction of the time. All hosts of a test must share
 * one instance so they agree on the rate, as real hosts' clocks do.
 */
public final class ScaledClock implements MonotonicClock {
    private final long factor;
    private final long origin = System.nanoTime();
    private final long startNanos;

    public ScaledClock(long factor, long startSeconds) {
        if (factor < 1) {
            throw new IllegalArgumentException("factor must be >= 1");
        }
        this.factor = factor;
        this.startNanos = startSeconds * 1_000_000_000L;
    }

    @Override
    public long nanos() {
        return startNanos + (System.nanoTime() - origin) * factor;
    }

    @Override
    public void sleepNanos(long durationNanos) throws InterruptedException {
        long real = durationNanos / factor;
        if (real > 0) {
            Thread.sleep(real / 1_000_000L, (int) (real % 1_000_000L));
        }
    }
}
