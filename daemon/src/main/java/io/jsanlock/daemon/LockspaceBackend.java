package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.StateRecord;

import java.util.List;

/**
 * The lockspace role of the {@link LeaseBackend} (sanlock's lockspace.c seen from cmd.c):
 * joining and leaving lockspaces (delta leases), and what the daemon reports of them.
 */
public interface LockspaceBackend {
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

    /** The lockspace's number in this daemon (sanlock's space_id, "s1" in its log), 0 when unknown. */
    default int spaceId(String lockspace) {
        return 0;
    }
}
