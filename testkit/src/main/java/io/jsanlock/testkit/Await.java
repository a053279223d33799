package io.jsanlock.testkit;

import io.jsanlock.base.MonotonicClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one way tests wait for a condition: poll it until it holds or the timeout passes, then fail
 * with what was awaited. The timeout is a {@link Duration} on a named clock — real time by default,
 * or a test's virtual clock ({@link ScaledClock}, {@link ManualClock}) for protocol times — so no
 * call site has to say whether its number was seconds or milliseconds.
 */
public final class Await {
    /**
     * The least pause between polls, in real time: short, because virtual-clock tests read the clock right
     * after a wait (5 ms real is 0.05 s on a 10x clock). A condition that is itself costly (one that starts
     * a process) is polled less often: the pause is 4 times its last evaluation, up to {@link #MAX_PAUSE_MILLIS},
     * so polling never takes more than a fifth of a loaded machine's time.
     */
    private static final long MIN_PAUSE_MILLIS = 5;
    private static final long MAX_PAUSE_MILLIS = 250;

    private Await() {
    }

    /** A condition that may throw (a client call, a file read); a throw fails the wait at once. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits up to {@code timeout} of real time for {@code condition}; fails with {@code what} otherwise. */
    public static void await(String what, Duration timeout, Condition condition) {
        await(what, MonotonicClock.SYSTEM, timeout, condition);
    }

    /**
     * Waits up to {@code timeout} as measured by {@code clock} (virtual seconds on a scaled clock). Polls
     * in real time; a {@link ManualClock} only moves when the test moves it, so pass one only when another
     * thread advances it.
     */
    public static void await(String what, MonotonicClock clock, Duration timeout, Condition condition) {
        await(() -> what, clock, timeout, condition);
    }

    /** As above, with a description computed only on failure (e.g. the state of the run at that moment). */
    public static void await(Supplier<String> what, MonotonicClock clock, Duration timeout, Condition condition) {
        if (!poll(what, clock, timeout, condition)) {
            throw new AssertionError("timed out after " + timeout + (clock == MonotonicClock.SYSTEM ? "" : " on "
                    + clock.getClass().getSimpleName()) + " awaiting " + what.get());
        }
    }

    /**
     * Whether {@code condition} comes to hold within {@code timeout} of real time, for a test that asserts
     * on the answer itself (e.g. that something did NOT happen within a bound).
     */
    public static boolean holdsWithin(Duration timeout, Condition condition) {
        return poll(() -> "condition", MonotonicClock.SYSTEM, timeout, condition);
    }

    private static boolean poll(Supplier<String> what, MonotonicClock clock, Duration timeout, Condition condition) {
        long deadline = clock.nanos() + timeout.toNanos();
        while (true) {
            boolean ok;
            long began = System.nanoTime();
            try {
                ok = condition.holds();
            } catch (Exception e) {
                throw new AssertionError("while awaiting " + what.get() + ": " + e, e);
            }
            if (ok) {
                return true;
            }
            if (clock.nanos() - deadline >= 0) {
                return false;
            }
            try {
                long cost = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                TimeUnit.MILLISECONDS.sleep(Math.clamp(4 * cost, MIN_PAUSE_MILLIS, MAX_PAUSE_MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted awaiting " + what.get(), e);
            }
        }
    }
}
