package io.jsanlock.daemon;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.StateRecord;

import java.util.List;

/**
 * The backend of a daemon that has no lease engine: it never has a lockspace. Queries
 * answer truthfully for that state with the reference's codes (acquire -28 "lockspace
 * not joined", inq/rem -2, host_status -28, empty lists); operations that need the
 * engine or storage fail -95 (EOPNOTSUPP) with a message saying so. A test double: only
 * protocol tests that need no disks use it; the daemon itself always runs the lease engine
 * ({@link DaemonMain#engineBackend}).
 */
final class NoEngineBackend implements LeaseBackend {

    private static SanlockException unsupported(String what) {
        return new SanlockException(SanlockError.EOPNOTSUPP, what + ": this daemon has no lease engine");
    }

    private static SanlockException notJoined(String ls) {
        return new SanlockException(SanlockError.ENOSPC, "lockspace " + ls + " is not joined");
    }

    @Override public void addLockspace(Lockspace ls, int ioTimeout, boolean async) throws SanlockException { throw unsupported("add_lockspace"); }
    @Override public int inqLockspace(Lockspace ls) { return SanlockError.ENOENT.code(); }
    @Override public void beginRemoval(Lockspace ls, boolean unused) throws SanlockException {
        throw new SanlockException(SanlockError.ENOENT, "lockspace " + ls.name() + " unknown");
    }
    @Override public void completeRemoval(Lockspace ls) throws SanlockException {
        throw new SanlockException(SanlockError.ENOENT, "lockspace " + ls.name() + " unknown");
    }
    @Override public boolean isHeld(HeldLease lease) { return false; }
    @Override public List<Lockspace> lockspaces() { return List.of(); }
    @Override public List<Host> hosts(String lockspace, long hostId) throws SanlockException {
        throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " unknown");
    }
    @Override public List<StateRecord> lockspaceRecords() { return List.of(); }
    @Override public List<StateRecord> hostRecords(String lockspace) throws SanlockException { throw notJoined(lockspace); }
    @Override public List<StateRecord> renewalRecords(String lockspace) throws SanlockException { throw notJoined(lockspace); }
    @Override public int ioTimeout(String lockspace) throws SanlockException { throw notJoined(lockspace); }
    @Override public void setConfig(String lockspace, int cmd) throws SanlockException {
        throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " unknown");
    }
    @Override public HeldLease acquire(Resource r, int cmdFlags, int pid) throws SanlockException { throw notJoined(r.lockspace()); }
    @Override public void release(HeldLease lease) throws SanlockException { throw unsupported("release"); }
    @Override public void orphan(HeldLease lease, int pid) { }
    @Override public int releaseOrphans(String lockspace, String name) { return 0; }
    @Override public HeldLease convert(HeldLease lease, boolean toShared, int cmdFlags) throws SanlockException { throw unsupported("convert"); }
    @Override public void request(Resource r, int forceMode, int cmdFlags) throws SanlockException { throw notJoined(r.lockspace()); }
    @Override public void examine(Lockspace ls, Resource r) { }
    @Override public List<StateRecord> resourceRecords(List<ClientLeases> holders) { return List.of(); }
    @Override public long align(Disk disk) throws SanlockException { throw unsupported("align"); }
    @Override public void writeLockspace(Lockspace ls, int ioTimeout) throws SanlockException { throw unsupported("write_lockspace"); }
    @Override public void writeResource(Resource r, int numHosts, boolean clear) throws SanlockException { throw unsupported("write_resource"); }
    @Override public LockspaceRead readLockspace(Lockspace ls) throws SanlockException { throw unsupported("read_lockspace"); }
    @Override public Resource readResource(Resource r) throws SanlockException { throw unsupported("read_resource"); }
    @Override public Owners readResourceOwners(Resource r) throws SanlockException { throw unsupported("read_resource_owners"); }
    @Override public void setLvb(Resource r, byte[] data) throws SanlockException { throw new SanlockException(SanlockError.ENOENT, "lease not held"); }
    @Override public byte[] getLvb(Resource r, int size) throws SanlockException { throw new SanlockException(SanlockError.ENOENT, "lease not held"); }
    @Override public void setEvent(String lockspace, HostEvent event, int flags) throws SanlockException {
        throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " unknown");
    }
    @Override public void checkEventLockspace(String lockspace) throws SanlockException {
        throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " unknown");
    }
    @Override public void onEvent(EventSink sink) { }
    @Override public void shutdown() { }
}
