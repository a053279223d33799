package io.jsanlock.engine;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.Timeouts;

/**
 * Follows the host_id renewals of every lockspace, at the points where sanlock 3.8.5's
 * lockspace thread talks to wdmd (algorithms.md 2.8): before the delta acquire, once the
 * host_id is held, after every renewal, and when the lockspace is gone. Installed with
 * {@link LeaseEngine.Builder#renewalObserver}; the daemon's watchdog is one.
 *
 * <p>Calls are synchronous, on the thread doing the step: {@link #beforeJoin} and
 * {@link #joined} on the thread joining the lockspace — {@link #joined} before the lockspace
 * becomes JOINED and before {@code addLockspace} returns, so no lease can be granted in it
 * before the observer has seen the join; {@link #renewed} and {@link #failed} on the
 * lockspace's renewal thread, right after the attempt; {@link #removed} on the thread that
 * releases the host_id. Implementations must be quick (they delay the next renewal) and
 * must not wait for the engine (add or remove a lockspace, acquire a lease). A RuntimeException thrown by one is logged and
 * otherwise ignored, so it can neither stop the renewals nor fail a join that already
 * holds the host_id.
 */
public interface RenewalObserver {
    /** Observes nothing. */
    RenewalObserver NONE = new RenewalObserver() {};

    /**
     * Before anything is done for an {@code addLockspace} (sync or async, on the caller's
     * thread): throwing refuses the join with that error, as the reference refuses it with
     * -203 when it cannot connect to wdmd.
     */
    default void beforeJoin(LockspaceSpec spec) throws SanlockException {
    }

    /**
     * The host_id is held: {@code lastSuccess} is the join's timestamp, or that of the
     * renewal done at once after a long join (the lockspace's first history record).
     */
    default void joined(LockspaceSpec spec, Timeouts timeouts, long lastSuccess) {
    }

    /** A renewal succeeded; {@code record} is the one just added to the renewal history. */
    default void renewed(LockspaceSpec spec, Timeouts timeouts, RenewalRecord record) {
    }

    /** A renewal attempt failed with {@code result} (a sanlock code, e.g. -202 for an I/O timeout). */
    default void failed(LockspaceSpec spec, Timeouts timeouts, int result) {
    }

    /**
     * The lockspace is gone (removed, or lost and every holder released; also a join that
     * failed after {@link #joined}). May come for a lockspace never reported joined (removed
     * while joining), or twice for one; ignore those. Not called when the engine is halted: a halted engine
     * stands for a crashed host, whose watchdog must fire.
     */
    default void removed(LockspaceSpec spec) {
    }

    /** {@link LeaseEngine#close()} has removed every lockspace it could; no further calls follow. */
    default void engineClosed() {
    }
}
