package io.jsanlock.daemon;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double for the lease engine: lockspaces join at once, leases live in a map (one
 * host, no disks). Enough to test the daemon's own duties — registration, tokens per
 * client, release on client death, the wire — without storage.
 */
class InMemoryBackend extends NoEngineBackendBase {
    final Set<String> lockspaces = ConcurrentHashMap.newKeySet();
    final Map<String, Long> held = new ConcurrentHashMap<>();   // "ls:name" -> lver
    final Map<String, Long> lvers = new ConcurrentHashMap<>();
    final List<String> released = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void addLockspace(Lockspace ls, int ioTimeout, boolean async) throws SanlockException {
        if (!lockspaces.add(ls.name())) {
            throw new SanlockException(SanlockError.EEXIST, "already joined");
        }
    }

    @Override
    public int inqLockspace(Lockspace ls) {
        return lockspaces.contains(ls.name()) ? 0 : -2;
    }

    @Override
    public void beginRemoval(Lockspace ls, boolean unused) throws SanlockException {
        if (!lockspaces.contains(ls.name())) {
            throw new SanlockException(SanlockError.ENOENT, "unknown");
        }
        if (unused && held.keySet().stream().anyMatch(k -> k.startsWith(ls.name() + ":"))) {
            throw new SanlockException(SanlockError.EBUSY, "lockspace used");
        }
        // leases of a lockspace being removed are dropped: isHeld() turns false for them
        lockspaces.remove(ls.name());
    }

    @Override
    public void completeRemoval(Lockspace ls) {
    }

    @Override
    public boolean isHeld(HeldLease lease) {
        String key = (String) lease.handle();
        return held.containsKey(key) && lockspaces.contains(key.substring(0, key.indexOf(':')));
    }

    @Override
    public List<Lockspace> lockspaces() {
        List<Lockspace> out = new ArrayList<>();
        for (String n : lockspaces) {
            out.add(Lockspace.of(n, 1, "/mem/" + n, 0));
        }
        return out;
    }

    @Override
    public List<StateRecord> lockspaceRecords() {
        List<StateRecord> out = new ArrayList<>();
        for (Lockspace l : lockspaces()) {
            out.add(new StateRecord(StateType.LOCKSPACE, 0, 0, 1, l.name(), "list=spaces", l, null));
        }
        return out;
    }

    @Override
    public HeldLease acquire(Resource r, int cmdFlags, int pid) throws SanlockException {
        if (!lockspaces.contains(r.lockspace())) {
            throw new SanlockException(SanlockError.ENOSPC, "not joined");
        }
        String key = r.lockspace() + ":" + r.name();
        long lver = lvers.merge(key, 1L, Long::sum);
        if (held.putIfAbsent(key, lver) != null) {
            throw new SanlockException(SanlockError.EEXIST, "held on this host");
        }
        return new HeldLease(r, (r.flags() & io.jsanlock.wire.ResourceFlags.SHARED) != 0, lver,
                (r.flags() & io.jsanlock.wire.ResourceFlags.PERSISTENT) != 0, false, key);
    }

    @Override
    public void release(HeldLease lease) {
        held.remove((String) lease.handle());
        released.add((String) lease.handle());
    }

    @Override
    public List<StateRecord> resourceRecords(List<ClientLeases> holders) {
        List<StateRecord> out = new ArrayList<>();
        for (ClientLeases cl : holders) {
            for (HeldLease l : cl.leases()) {
                Resource r = l.forState();
                out.add(new StateRecord(StateType.RESOURCE, 0, cl.pid(), l.lver(), r.name(), "list=held",
                        null, new Resource(r.lockspace(), r.name(), 0, 0, 0, r.flags(), r.numDisks(), r.disks())));
            }
        }
        return out;
    }

    @Override
    public List<Host> hosts(String lockspace, long hostId) throws SanlockException {
        if (!lockspaces.contains(lockspace)) {
            throw new SanlockException(SanlockError.ENOENT, "unknown");
        }
        return List.of(new Host(1, 1, 100, 10, 3));
    }
}

/** NoEngineBackend's answers for everything the in-memory double does not override. */
abstract class NoEngineBackendBase implements LeaseBackend {
    private final NoEngineBackend none = new NoEngineBackend();

    @Override public List<StateRecord> hostRecords(String lockspace) throws SanlockException { return none.hostRecords(lockspace); }
    @Override public List<StateRecord> renewalRecords(String lockspace) throws SanlockException { return none.renewalRecords(lockspace); }
    @Override public int ioTimeout(String lockspace) throws SanlockException { return none.ioTimeout(lockspace); }
    @Override public void setConfig(String lockspace, int cmd) throws SanlockException { none.setConfig(lockspace, cmd); }
    @Override public void orphan(HeldLease lease, int pid) { }
    @Override public int releaseOrphans(String lockspace, String name) { return 0; }
    @Override public HeldLease convert(HeldLease lease, boolean toShared, int cmdFlags) throws SanlockException { return none.convert(lease, toShared, cmdFlags); }
    @Override public void request(Resource r, int forceMode, int cmdFlags) throws SanlockException { none.request(r, forceMode, cmdFlags); }
    @Override public void examine(Lockspace ls, Resource r) { }
    @Override public long align(Disk disk) throws SanlockException { return none.align(disk); }
    @Override public void writeLockspace(Lockspace ls, int ioTimeout) throws SanlockException { none.writeLockspace(ls, ioTimeout); }
    @Override public void writeResource(Resource r, int numHosts, boolean clear) throws SanlockException { none.writeResource(r, numHosts, clear); }
    @Override public LockspaceRead readLockspace(Lockspace ls) throws SanlockException { return none.readLockspace(ls); }
    @Override public Resource readResource(Resource r) throws SanlockException { return none.readResource(r); }
    @Override public Owners readResourceOwners(Resource r) throws SanlockException { return none.readResourceOwners(r); }
    @Override public void setLvb(Resource r, byte[] data) throws SanlockException { none.setLvb(r, data); }
    @Override public byte[] getLvb(Resource r, int size) throws SanlockException { return none.getLvb(r, size); }
    @Override public void setEvent(String lockspace, HostEvent event, int flags) throws SanlockException { none.setEvent(lockspace, event, flags); }
    @Override public void checkEventLockspace(String lockspace) throws SanlockException { none.checkEventLockspace(lockspace); }
    @Override public void onEvent(EventSink sink) { }
    @Override public void shutdown() { }
}
