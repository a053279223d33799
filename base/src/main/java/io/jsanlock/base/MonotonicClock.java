package io.jsanlock.base;

/**
 * The local monotonic clock that all lease timing is judged on (sanlock uses
 * CLOCK_MONOTONIC seconds, never wall time and never another host's clock).
 * Injected everywhere so liveness and protocol steps can be tested with a
 * clock the test advances by hand.
 */
public interface MonotonicClock {
    /** Nanoseconds on a monotonic scale with an arbitrary origin. */
    long nanos();

    /** Whole seconds on the same scale, as sanlock's monotime() gives them. */
    default long seconds() {
        return nanos() / 1_000_000_000L;
    }

    /** Waits until {@code nanos()} has advanced by at least {@code durationNanos}. */
    void sleepNanos(long durationNanos) throws InterruptedException;

    /** The system's CLOCK_MONOTONIC (System.nanoTime is monotonic on Linux). */
    MonotonicClock SYSTEM = new MonotonicClock() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long durationNanos) throws InterruptedException {
            if (durationNanos > 0) {
                Thread.sleep(durationNanos / 1_000_000L, (int) (durationNanos % 1_000_000L));
            }
        }
    };
}
