package io.jsanlock.engine;

/**
 * The party using a resource lease (in the daemon: a registered process). The
 * engine calls it from its own threads; implementations must not block.
 */
public interface LeaseHolder {
    /**
     * The lease can no longer be trusted: stop using it now. For
     * {@link LossReason#LOCKSPACE_LOST} the holder has until the lockspace's
     * kill deadline ({@link LockspaceEvent#killDeadline()}, 8N+G after the last
     * renewal) before the reference would SIGKILL it; the host's watchdog fires
     * at 8N+W. The holder must still call {@link LeaseEngine#release} (no disk
     * I/O happens) so the engine knows it stopped.
     */
    default void leaseLost(ResourceLease lease, LossReason reason) {
    }

    /**
     * Another host wrote a request record asking for this lease (3.8):
     * {@code forceMode} 1 = FORCE (kill the holder), 2 = GRACEFUL (killpath or SIGTERM).
     */
    default void releaseRequested(ResourceLease lease, long requestedLver, int forceMode) {
    }

    LeaseHolder NONE = new LeaseHolder() {
    };
}
