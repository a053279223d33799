package io.jsanlock.engine;

/**
 * Where a joined lockspace is in its life (algorithms.md 2.7, 4.4). The
 * transitions happen at the reference's times, measured on the local clock from
 * the last successful renewal T with my io_timeout N.
 */
public enum LockspaceState {
    /** Acquiring the host_id (delta lease). */
    JOINING,
    /** Renewing on schedule; resources may be acquired. */
    JOINED,
    /** No successful renewal for 6N ("check_our_lease warning"); still usable. */
    FAILING,
    /**
     * No successful renewal for 8N, or a corrupt renewal result: recovery. Leases
     * are dropped without I/O; holders must stop using them (killed by 8N+G).
     */
    LOST,
    /** Being removed (rem_lockspace). */
    REMOVING,
    /** Gone: removed, or lost and every holder released. */
    REMOVED
}
