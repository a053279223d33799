package io.jsanlock.daemon.watchdog;

import io.jsanlock.base.MonotonicClock;

/**
 * How a loop of the watchdog waits between its rounds. The loop's decisions are judged on a
 * {@link MonotonicClock}; the wait is separate so that a test can drive the rounds itself
 * (a manual clock's own sleep would advance time on every round, so a loop waiting on it
 * would race through virtual hours). A stand-in for the engine's scheduler until the two
 * are unified.
 */
@FunctionalInterface
public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;

    /** Real waiting: the system clock's sleep. */
    Sleeper SYSTEM = MonotonicClock.SYSTEM::sleepNanos;
}
