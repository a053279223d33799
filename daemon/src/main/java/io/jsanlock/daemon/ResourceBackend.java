package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.StateRecord;

import java.util.List;

/**
 * The resource-lease role of the {@link LeaseBackend} (sanlock's resource.c): paxos leases
 * of this host, acquired for and released by the daemon's registered clients, orphans and
 * requests to other hosts.
 */
public interface ResourceBackend {
    /**
     * Acquires one lease on this host for client {@code pid}. {@code cmdFlags}:
     * ACQUIRE_* bits of the request. Failures: -243, -240, -17, -11, -16, -28, -117 ...
     */
    HeldLease acquire(Resource r, int cmdFlags, int pid) throws SanlockException;

    /**
     * Takes {@code count} consecutive token ids (what status -D shows as token_id) for the
     * resources of one ACQUIRE request, before any of them is tried: sanlock 3.8.5 numbers
     * every resource of a request, also those it never tries after an earlier one failed.
     *
     * @return the first id, 0 for a backend that does not number tokens
     */
    default int takeTokenIds(int count) {
        return 0;
    }

    /** {@link #acquire(Resource, int, int)} with a token id from {@link #takeTokenIds}. */
    default HeldLease acquire(Resource r, int cmdFlags, int pid, int tokenId) throws SanlockException {
        return acquire(r, cmdFlags, pid);
    }

    /**
     * True while a lease from {@link #acquire} is still held: not released and not dropped
     * with its lockspace (lost, or being removed). The daemon checks it after recording a
     * new lease with its client, so that a lease granted just as its lockspace failed is
     * either seen by the fencing or refused to the client.
     */
    boolean isHeld(HeldLease lease);

    /** Releases a lease acquired with {@link #acquire}. */
    void release(HeldLease lease) throws SanlockException;

    /**
     * Releases a lease and renames it on disk as the release writes its leader
     * (RELEASE with REL_RENAME; lvmlockd renames a removed VG's leases to
     * {@code invalid_removed}).
     */
    default void releaseRenaming(HeldLease lease, String newName) throws SanlockException {
        release(lease);
    }

    /**
     * Releases a resource index's {@code rindex_lease} acquired with {@link #acquire}: as
     * {@link #release}, except that the dblock is not marked RELEASED (sanlock 3.8.5's
     * rindex commands leave it as the ballot wrote it: ondisk.md 7).
     */
    default void releaseIndexLease(HeldLease lease) throws SanlockException {
        release(lease);
    }

    /** Keeps a PERSISTENT lease of a dead client as an orphan. */
    void orphan(HeldLease lease, int pid);

    /** Drops orphans of a lockspace (one by name, or all when name is empty); returns how many. */
    int releaseOrphans(String lockspace, String name) throws SanlockException;

    /** CONVERT to shared/exclusive; returns the lease in its new mode. */
    HeldLease convert(HeldLease lease, boolean toShared, int cmdFlags) throws SanlockException;

    /** REQUEST (force_mode 0/1/2, NEXT_LVER flag). */
    void request(Resource r, int forceMode, int cmdFlags) throws SanlockException;

    /** EXAMINE_RESOURCE / EXAMINE_LOCKSPACE. */
    void examine(Lockspace ls, Resource r);

    /** RESOURCE records of STATUS for leases held/being acquired/released/orphans (the daemon passes what clients hold). */
    List<StateRecord> resourceRecords(List<ClientLeases> holders);

    /** A client's pid and held leases, for STATUS. */
    record ClientLeases(int pid, List<HeldLease> leases) {}
}
