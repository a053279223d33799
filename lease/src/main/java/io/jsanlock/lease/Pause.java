package io.jsanlock.lease;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import java.util.function.BooleanSupplier;

/**
 * sanlock's protocol delays: slept one second at a time, giving up with -201 when
 * the operation is being abandoned (lockspace removal, shutdown) — so an abort is
 * noticed within a second, as in the reference.
 */
final class Pause {
    private Pause() {
    }

    static void seconds(MonotonicClock clock, long seconds, BooleanSupplier aborted, String what) throws SanlockException {
        for (long i = 0; i < seconds; i++) {
            if (aborted.getAsBoolean()) {
                throw new SanlockException(SanlockError.ERROR, what + " aborted");
            }
            sleepNanos(clock, 1_000_000_000L);
        }
        if (aborted.getAsBoolean()) {
            throw new SanlockException(SanlockError.ERROR, what + " aborted");
        }
    }

    static void sleepNanos(MonotonicClock clock, long nanos) throws SanlockException {
        try {
            clock.sleepNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SanlockException(SanlockError.ERROR, "interrupted");
        }
    }
}
