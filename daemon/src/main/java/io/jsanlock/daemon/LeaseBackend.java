package io.jsanlock.daemon;

/**
 * What the daemon needs from the lease engine: lockspaces (delta leases), resource
 * leases (paxos), storage initialisation/reads and events. The daemon owns everything
 * about clients and connections (registration, tokens per client, release on client
 * death, the wire format); the backend owns the leases on disk. Results and failures
 * use sanlock's codes so they go on the wire unchanged.
 *
 * <p>It is the sum of four roles, one per group of commands: {@link LockspaceBackend},
 * {@link ResourceBackend}, {@link StorageBackend}, {@link EventBackend}; a command group
 * that needs one role takes only that one ({@link StorageCommands}). Why roles rather than
 * one engine-only daemon: the one production implementation is {@link EngineBackend}, but
 * the daemon's own duties (registration, tokens per client, release on a client's death,
 * the wire, fencing order) are tested against small doubles that answer at once and can
 * be held at a chosen step (test sources: {@code InMemoryBackend}, {@code NoEngineBackend},
 * {@code RindexBusyTest}'s gate) — a real engine on memory storage cannot stop an acquire
 * half-way or grant a lease without a lockspace join, and its timing would make those
 * tests slower and racier. The end-to-end behaviour over the real engine is covered by the
 * {@code EngineDaemon*} and parity tests.
 */
public interface LeaseBackend extends LockspaceBackend, ResourceBackend, StorageBackend, EventBackend {

    /** Where the backend reports what needs holders stopped (fencing); default: nothing reported. */
    default void onTrouble(TroubleSink sink) {
    }

    /** Fencing requests from the lease engine to the daemon, which knows the holder processes. */
    interface TroubleSink {
        /** The lockspace is lost (8N without renewal): stop its holders; from {@code killDeadline} (monotonic s) with SIGKILL. */
        void lockspaceLost(String lockspace, long killDeadline);

        /** Another host requested a lease we hold (REQUEST force_mode 1 FORCE, 2 GRACEFUL). */
        void releaseRequested(String lockspace, String resource, int forceMode);
    }

    /** Leaves every lockspace (daemon shutdown). */
    void shutdown();
}
