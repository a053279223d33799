package io.jsanlock.lease;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Leader;

/**
 * What the paxos layer needs from the local lockspace that a resource lease
 * belongs to: my bookkeeping of other hosts (2.6) and a way to read one host's
 * delta lease right now (3.3). The engine implements it per joined lockspace.
 */
public interface OwnerView {
    /** A copy of my table entry for {@code hostId}. */
    HostStatus hostStatus(long hostId);

    /** Reads and checks {@code hostId}'s delta lease (one sector, my io_timeout). */
    Leader readHostSlot(long hostId) throws SanlockException;

    /** {@code host_live(X, gen)} of 2.6, at my time {@code now}. */
    boolean hostLive(long hostId, long generation, long now);

    /** My timeouts in this lockspace (W, G and my N; N is the fallback for 0). */
    Timeouts myTimeouts();

    /**
     * True once the lockspace is being left (removed, or lost): an acquire waiting for
     * an owner to die gives up at its next poll rather than hold up the removal.
     */
    default boolean leaving() {
        return false;
    }
}
