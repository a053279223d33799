package io.jsanlock.engine;

/**
 * Engine-wide notifications of lockspace health, at the reference's times
 * (algorithms.md 2.7), checked five times a second so never later than the
 * reference's once-a-second main loop. Called from the engine's monitor
 * thread; implementations must not block.
 */
public interface LockspaceListener {
    /** 6N without a successful renewal (the reference logs "check_our_lease warning"). */
    default void lockspaceFailing(LockspaceEvent e) {
    }

    /** A renewal succeeded again before 8N. */
    default void lockspaceRecovered(LockspaceEvent e) {
    }

    /** 8N without a successful renewal, or a corrupt renewal: the leases are lost (recovery). */
    default void lockspaceLost(LockspaceEvent e) {
    }

    /** 8N + G after the last renewal of a lost lockspace: remaining holders must be killed. */
    default void killDeadline(LockspaceEvent e) {
    }

    /** The lockspace is gone (removed, or lost and all holders released). */
    default void lockspaceRemoved(LockspaceEvent e) {
    }

    /** A host event addressed to me arrived (set_event on another host, delivered by its renewals). */
    default void hostEvent(HostEvent e) {
    }
}
