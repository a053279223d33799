package io.jsanlock.testkit;

import io.jsanlock.base.MonotonicClock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtual clock for deterministic single-threaded tests: sleeping advances
 * time instantly, so a 68-second protocol wait takes no real time and every
 * step happens at an exact, known second.
 */
public final class ManualClock implements MonotonicClock {
    private final AtomicLong nanos;

    public ManualClock(long startSeconds) {
        this.nanos = new AtomicLong(startSeconds * 1_000_000_000L);
    }

    @Override
    public long nanos() {
        return nanos.get();
    }

    @Override
    public void sleepNanos(long durationNanos) {
        if (durationNanos > 0) {
            nanos.addAndGet(durationNanos);
        }
    }

    public void advanceSeconds(long s) {
        nanos.addAndGet(s * 1_000_000_000L);
    }

    public void advanceNanos(long n) {
        nanos.addAndGet(n);
    }
}
