package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.StateRecord;

import java.util.List;

/**
 * What the daemon needs from the lease engine: lockspaces (delta leases), resource
 * leases (paxos), storage initialisation/reads and events. The daemon owns everything
 * about clients and connections (registration, tokens per client, release on client
 * death, the wire format); the backend owns the leases on disk. Results and failures
 * use sanlock's codes so they go on the wire unchanged.
 */
public interface LeaseBackend {

    // ---- lockspaces

    /** ADD_LOCKSPACE; returns when joined, or at once when {@code async}. */
    void addLockspace(Lockspace ls, int ioTimeout, boolean async) throws SanlockException;

    /** INQ_LOCKSPACE: 0 joined, -115 joining/leaving, -2 unknown. */
    int inqLockspace(Lockspace ls);

    /**
     * REM_LOCKSPACE asked for. sanlock 3.8.5 begins a removal only at its main loop's next
     * one-second tick, and lists the lockspace as joined until its holders are gone; so
     * from this call until {@link #listRemoval} the lockspace stays joined in every view
     * (inq_lockspace, get_lockspaces, status), even once {@link #beginRemoval} ran.
     * Returns false when a removal was already asked for and is not listed yet (a repeated
     * request, answered 0 by the reference). -2 unknown or another host_id/path/offset;
     * -115 already being removed; {@code unused}: -16 when a lease of this host uses it.
     */
    default boolean requestRemoval(Lockspace ls, boolean unused) throws SanlockException {
        return true;
    }

    /** From now on the removal asked for is listed as such (flag REM, list=rem, inq -115). */
    default void listRemoval(String lockspace) {
    }

    /**
     * First half of REM_LOCKSPACE: from its return on no lease of the lockspace is granted
     * (acquires still running fail) and the held ones are dropped without I/O, while the
     * host id is still renewed. The daemon stops the holders, then calls
     * {@link #completeRemoval}. {@code unused}: -16 when a lease of this host uses it;
     * -2 unknown; -115 already being removed.
     */
    void beginRemoval(Lockspace ls, boolean unused) throws SanlockException;

    /** Second half of REM_LOCKSPACE: stops renewing and releases the host id. */
    void completeRemoval(Lockspace ls) throws SanlockException;

    /** GET_LOCKSPACES: joined, leaving (flag REM), joining (flag ADD). */
    List<Lockspace> lockspaces();

    /** GET_HOSTS: -2 unknown lockspace, -11 other hosts not read yet. */
    List<Host> hosts(String lockspace, long hostId) throws SanlockException;

    /** LOCKSPACE records of STATUS (with their sanlk_lockspace tails). */
    List<StateRecord> lockspaceRecords();

    /** HOST_STATUS records; -28 unknown lockspace. */
    List<StateRecord> hostRecords(String lockspace) throws SanlockException;

    /** RENEWAL history records; -28 unknown lockspace. */
    List<StateRecord> renewalRecords(String lockspace) throws SanlockException;

    /** io_timeout of a known lockspace (RENEWAL reply data2). */
    int ioTimeout(String lockspace) throws SanlockException;

    /** SET_CONFIG (1 USED, 2 UNUSED, 4/8 by orphans). */
    void setConfig(String lockspace, int cmd) throws SanlockException;

    // ---- resource leases

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

    /** The lockspace's number in this daemon (sanlock's space_id, "s1" in its log), 0 when unknown. */
    default int spaceId(String lockspace) {
        return 0;
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

    // ---- storage done by the daemon

    long align(Disk disk) throws SanlockException;

    void writeLockspace(Lockspace ls, int ioTimeout) throws SanlockException;

    void writeResource(Resource r, int numHosts, boolean clear) throws SanlockException;

    /** READ_LOCKSPACE: the lockspace as stored plus its io_timeout. */
    record LockspaceRead(Lockspace lockspace, int ioTimeout) {}

    LockspaceRead readLockspace(Lockspace ls) throws SanlockException;

    Resource readResource(Resource r) throws SanlockException;

    record Owners(Resource resource, List<Host> owners) {}

    Owners readResourceOwners(Resource r) throws SanlockException;

    void setLvb(Resource r, byte[] data) throws SanlockException;

    byte[] getLvb(Resource r, int size) throws SanlockException;

    // ---- events

    void setEvent(String lockspace, HostEvent event, int flags) throws SanlockException;

    /** Checks a lockspace exists for REG_EVENT (-2 otherwise). */
    void checkEventLockspace(String lockspace) throws SanlockException;

    /** Registers the sink the backend calls for events other hosts set for us. */
    void onEvent(EventSink sink);

    /** Receives events to push to REG_EVENT channels. */
    interface EventSink {
        void deliver(String lockspace, io.jsanlock.wire.EventCallback event);
    }

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
