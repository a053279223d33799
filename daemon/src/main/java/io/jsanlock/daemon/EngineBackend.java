package io.jsanlock.daemon;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.TokenTable.Token;
import io.jsanlock.engine.AcquireOptions;
import io.jsanlock.engine.HostInfo;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.LeaseHolder;
import io.jsanlock.engine.LeaseMode;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.engine.LockspaceState;
import io.jsanlock.engine.LossReason;
import io.jsanlock.engine.ResourceLease;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.lease.HostState;
import io.jsanlock.lease.HostStatus;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.LockspaceFlags;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's lease backend on the jsanlock {@link LeaseEngine}: lockspaces and resource
 * leases are the engine's; this class translates between wire structures and engine
 * types, keeps the daemon-only state (orphans, SET_CONFIG flags, space ids) and formats
 * the status records.
 *
 * <p>Storage commands (ALIGN, WRITE/READ_*) are served by {@link DaemonStorage}; resource
 * indexes by {@link RindexCommands} on top of this backend. LVBs are kept here: read at
 * acquire, changed in memory by SET_LVB, written to sector 2002 before the release.
 *
 * <p>Why one class of ~700 lines: it is the one adapter from the backend's four roles to the
 * engine's façade, and most of its state is per lockspace and changes together — the space
 * id given at the join, the removal listed as joined until its holders are gone, SET_CONFIG's
 * flags, orphans, LVBs and the cached resources ({@link TokenTable}) all begin or end with a
 * join or a removal. Split by role, each part would reach into the others' maps.
 */
public final class EngineBackend implements LeaseBackend {
    private final LeaseEngine engine;
    private final DaemonLog log;
    private final Map<String, Integer> spaceIds = new ConcurrentHashMap<>();
    private final Map<String, Integer> externalUsed = new ConcurrentHashMap<>();
    private final Map<String, Integer> usedByOrphans = new ConcurrentHashMap<>();
    /** Lockspaces whose removal was asked for and is not listed yet ({@link #requestRemoval}). */
    private final java.util.Set<String> removalsListedAsJoined = ConcurrentHashMap.newKeySet();
    private final List<Orphan> orphans = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Lock value blocks of leases acquired with ACQUIRE_LVB, by engine handle id. */
    private final Map<Long, Lvb> lvbs = new ConcurrentHashMap<>();

    /** token_id, res_id and reused of each held lease, as status -D shows them. */
    private final TokenTable tokens = new TokenTable();

    /** An LVB in memory: read at acquire, changed by SET_LVB, written back at release (algorithms.md 3.6). */
    private static final class Lvb {
        final String lockspace;
        final String name;
        final Disk disk;
        final byte[] data;
        boolean set;

        Lvb(String lockspace, String name, Disk disk, byte[] data) {
            this.lockspace = lockspace;
            this.name = name;
            this.disk = disk;
            this.data = data;
        }
    }
    private int nextSpaceId = 1;
    private final LeaseHolder holder;
    private volatile TroubleSink trouble;

    private record Orphan(HeldLease lease, int pid) {}

    /** The engine (for the metrics and web view of daemon -M, which only read it). */
    LeaseEngine engine() {
        return engine;
    }

    public EngineBackend(LeaseEngine engine, DaemonLog log) {
        this.engine = engine;
        this.log = log;
        this.holder = new LeaseHolder() {
            @Override
            public void leaseLost(ResourceLease lease, LossReason reason) {
                log.error("s" + lease.lockspace() + ":r" + lease.resource() + " lease lost: " + reason);
            }

            @Override
            public void releaseRequested(ResourceLease lease, long requestedLver, int forceMode) {
                log.info("s" + lease.lockspace() + ":r" + lease.resource() + " release requested lver " + requestedLver
                        + " force_mode " + forceMode);
                TroubleSink t = trouble;
                if (t != null && forceMode != 0) {
                    t.releaseRequested(lease.lockspace(), lease.resource(), forceMode);
                }
            }
        };
        engine.addListener(new io.jsanlock.engine.LockspaceListener() {
            @Override
            public void lockspaceFailing(io.jsanlock.engine.LockspaceEvent e) {
                log.warn("s" + e.lockspace() + " check_our_lease warning, last success " + e.lastSuccess());
            }

            @Override
            public void lockspaceLost(io.jsanlock.engine.LockspaceEvent e) {
                log.error("s" + e.lockspace() + " check_our_lease failed, last success " + e.lastSuccess()
                        + " kill deadline " + e.killDeadline());
                TroubleSink t = trouble;
                if (t != null) {
                    t.lockspaceLost(e.lockspace(), e.killDeadline());
                }
            }
        });
    }

    @Override
    public void onTrouble(TroubleSink sink) {
        this.trouble = sink;
    }

    private static LockspaceSpec spec(Lockspace ls) {
        return new LockspaceSpec(ls.name(), ls.hostId(), ls.disk().path(), ls.disk().offset());
    }

    static ResourceSpec spec(Resource r) {
        List<ResourceSpec.Disk> ds = new ArrayList<>();
        for (Disk d : r.disks()) {
            ds.add(new ResourceSpec.Disk(d.path(), d.offset()));
        }
        boolean hasLver = (r.flags() & ResourceFlags.LVER) != 0;
        return new ResourceSpec(r.lockspace(), r.name(), ds, hasLver ? r.lver() : 0, hasLver,
                (r.flags() & ResourceFlags.SHARED) != 0);
    }

    // ---------------------------------------------------------------- lockspaces

    @Override
    public void addLockspace(Lockspace ls, int ioTimeout, boolean async) throws SanlockException {
        synchronized (this) {
            spaceIds.computeIfAbsent(ls.name(), k -> nextSpaceId++);
        }
        if (async) {
            engine.addLockspaceAsync(spec(ls), ioTimeout).whenComplete((info, err) -> {
                if (err != null) {
                    log.error("s" + ls.name() + " add_lockspace async failed: " + err.getMessage());
                }
            });
        } else {
            try {
                engine.addLockspace(spec(ls), ioTimeout);
            } catch (SanlockException e) {
                if (e.error() == SanlockError.ENOENT) {
                    // sanlock 3.8.5 answers a lockspace path that does not exist with -ENODEV
                    throw new SanlockException(SanlockError.ENODEV, e.getMessage(), e);
                }
                throw e;
            }
        }
    }

    @Override
    public int inqLockspace(Lockspace ls) {
        Optional<LockspaceInfo> info = engine.lockspace(ls.name());
        if (info.isEmpty()) {
            return SanlockError.ENOENT.code();
        }
        LockspaceInfo i = info.get();
        if (!sameLockspace(ls)) {
            return SanlockError.ENOENT.code();
        }
        return switch (listedState(i)) {
            case JOINED, FAILING -> 0;
            case JOINING, REMOVING -> SanlockError.EINPROGRESS.code();
            default -> SanlockError.ENOENT.code();
        };
    }

    /** The joined lockspace is the one {@code ls} names: path and offset compared, host_id only when given (wire.md 4.9). */
    private boolean sameLockspace(Lockspace ls) {
        Optional<LockspaceInfo> info = engine.lockspace(ls.name());
        if (info.isEmpty()) {
            return false;
        }
        LockspaceInfo i = info.get();
        return i.path().equals(ls.disk().path()) && i.offset() == ls.disk().offset()
                && (ls.hostId() == 0 || ls.hostId() == i.hostId());
    }

    @Override
    public boolean requestRemoval(Lockspace ls, boolean unused) throws SanlockException {
        Optional<LockspaceState> st = engine.lockspaceState(ls.name());
        if (st.isEmpty() || st.get() == LockspaceState.REMOVED || !sameLockspace(ls)) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + ls.name() + " is not joined with this host_id, path and offset");
        }
        synchronized (removalsListedAsJoined) {
            if (removalsListedAsJoined.contains(ls.name())) {
                return false;
            }
            if (st.get() == LockspaceState.REMOVING) {
                throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + ls.name() + " is being removed");
            }
            if (unused && !engine.leases(ls.name()).isEmpty()) {
                throw new SanlockException(SanlockError.EBUSY, "lockspace " + ls.name() + " has leases held");
            }
            removalsListedAsJoined.add(ls.name());
        }
        return true;
    }

    @Override
    public void listRemoval(String lockspace) {
        removalsListedAsJoined.remove(lockspace);
    }

    /** The engine's state of a lockspace as the reference lists it: a removal not listed yet shows as joined. */
    private LockspaceState listedState(LockspaceInfo i) {
        return i.state() == LockspaceState.REMOVING && removalsListedAsJoined.contains(i.name()) ? LockspaceState.JOINED : i.state();
    }

    @Override
    public void beginRemoval(Lockspace ls, boolean unused) throws SanlockException {
        Optional<LockspaceState> st = engine.lockspaceState(ls.name());
        if (st.isEmpty() || st.get() == LockspaceState.REMOVED) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + ls.name() + " is not joined");
        }
        if (!sameLockspace(ls)) {
            // sanlock 3.8.5 leaves only the lockspace the request names: another host_id, path
            // or offset is -ENOENT, and the joined one stays joined
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + ls.name() + " is joined with another host_id, path or offset");
        }
        if (st.get() == LockspaceState.REMOVING) {
            throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + ls.name() + " is being removed");
        }
        engine.beginRemoval(ls.name(), unused);
    }

    @Override
    public void completeRemoval(Lockspace ls) throws SanlockException {
        listRemoval(ls.name());
        engine.completeRemoval(ls.name());
        tokens.forget(ls.name());
    }

    @Override
    public List<Lockspace> lockspaces() {
        List<Lockspace> joined = new ArrayList<>();
        List<Lockspace> leaving = new ArrayList<>();
        List<Lockspace> joining = new ArrayList<>();
        for (LockspaceInfo i : engine.lockspaces()) {
            switch (listedState(i)) {
                case JOINING -> joining.add(new Lockspace(i.name(), i.hostId(), LockspaceFlags.ADD, new Disk(i.path(), i.offset())));
                case REMOVING -> leaving.add(new Lockspace(i.name(), i.hostId(), LockspaceFlags.REM, new Disk(i.path(), i.offset())));
                case REMOVED -> { }
                default -> joined.add(new Lockspace(i.name(), i.hostId(), 0, new Disk(i.path(), i.offset())));
            }
        }
        // the reference lists each group most recently added first (space_id counts the adds);
        // the engine's map has no order
        java.util.Comparator<Lockspace> newestFirst = java.util.Comparator.comparingInt(
                (Lockspace l) -> spaceIds.getOrDefault(l.name(), 0)).reversed();
        joined.sort(newestFirst);
        leaving.sort(newestFirst);
        joining.sort(newestFirst);
        List<Lockspace> out = new ArrayList<>(joined);
        out.addAll(leaving);
        out.addAll(joining);
        return out;
    }

    @Override
    public List<Host> hosts(String lockspace, long hostId) throws SanlockException {
        List<Host> out = new ArrayList<>();
        for (HostInfo h : engine.hosts(lockspace)) {
            if (hostId != 0 ? h.hostId() == hostId : h.timestamp() != 0) {
                out.add(new Host(h.hostId(), h.generation(), h.timestamp(), h.ioTimeout(), h.state().flag()));
            }
        }
        if (hostId != 0 && out.isEmpty() && engine.hostStatus(lockspace, hostId).isPresent()) {
            // a host_id within the lockspace's max_hosts whose slot was never written: sanlock
            // 3.8.5 answers with a free host, all zero
            out.add(new Host(hostId, 0, 0, 0, HostState.FREE.flag()));
        }
        return out;
    }

    @Override
    public List<StateRecord> lockspaceRecords() {
        List<StateRecord> out = new ArrayList<>();
        for (Lockspace l : lockspaces()) {
            LockspaceInfo i = engine.lockspace(l.name()).orElse(null);
            if (i == null) {
                continue;
            }
            Geometry g = engine.lockspaceGeometry(l.name()).orElse(Geometry.S512_A1M);
            String list = (l.flags() & LockspaceFlags.ADD) != 0 ? "add" : (l.flags() & LockspaceFlags.REM) != 0 ? "rem" : "spaces";
            String text = "list=" + list + " space_id=" + spaceIds.getOrDefault(l.name(), 0) + " io_timeout=" + i.ioTimeout()
                    + " sector_size=" + g.sectorSize() + " align_size=" + g.alignSize() + " host_generation=" + i.generation()
                    + " renew_fail=" + (i.state() == LockspaceState.FAILING ? 1 : 0)
                    + " space_dead=" + (i.state() == LockspaceState.LOST ? 1 : 0)
                    + " killing_pids=0 used_retries=0 external_used=" + externalUsed.getOrDefault(l.name(), 0)
                    + " used_by_orphans=" + usedByOrphans.getOrDefault(l.name(), 0)
                    + " renewal_read_extend_sec=" + i.ioTimeout() + " set_max_sectors_kb=0 corrupt_result=0"
                    + " acquire_last_result=1 renewal_last_result=" + (i.lastResult() == 0 ? 1 : i.lastResult())
                    + " acquire_last_attempt=" + i.lastSuccess() + " acquire_last_success=" + i.lastSuccess()
                    + " renewal_last_attempt=" + i.lastAttempt() + " renewal_last_success=" + i.lastSuccess();
            out.add(new StateRecord(StateType.LOCKSPACE, 0, 0, i.hostId(), l.name(), text,
                    new Lockspace(l.name(), l.hostId(), 0, l.disk()), null));
        }
        return out;
    }

    @Override
    public List<StateRecord> hostRecords(String lockspace) throws SanlockException {
        if (engine.lockspace(lockspace).isEmpty()) {
            throw new SanlockException(SanlockError.ENOSPC, "lockspace " + lockspace + " unknown");
        }
        List<StateRecord> out = new ArrayList<>();
        List<HostInfo> hosts;
        try {
            hosts = engine.hosts(lockspace);
        } catch (SanlockException e) {
            hosts = List.of(); // not read yet: like the reference before its first scan, no records
        }
        for (HostInfo h : hosts) {
            HostStatus s = engine.hostStatus(lockspace, h.hostId()).orElse(null);
            if (s == null) {
                continue;
            }
            String text = "last_check=" + s.lastCheck() + " last_live=" + s.lastLive() + " last_req=" + s.lastReq()
                    + " owner_id=" + s.ownerId() + " owner_generation=" + s.ownerGeneration() + " timestamp=" + s.timestamp()
                    + " io_timeout=" + s.ioTimeout() + " owner_name=" + s.ownerName();
            out.add(new StateRecord(StateType.HOST, 0, (int) h.hostId(), s.timestamp(), "", text, null, null));
        }
        return out;
    }

    @Override
    public List<StateRecord> renewalRecords(String lockspace) throws SanlockException {
        List<io.jsanlock.engine.RenewalRecord> history;
        try {
            history = engine.renewals(lockspace);
        } catch (SanlockException e) {
            throw new SanlockException(SanlockError.ENOSPC, "lockspace " + lockspace + " unknown");
        }
        List<StateRecord> out = new ArrayList<>();
        for (io.jsanlock.engine.RenewalRecord r : history) {
            out.add(new StateRecord(StateType.RENEWAL, 0, 0, r.timestamp(), "", "timestamp=" + r.timestamp()
                    + " read_ms=" + r.readMillis() + " write_ms=" + r.writeMillis() + " next_timeouts=" + r.timeouts()
                    + " next_errors=" + r.errors(), null, null));
        }
        return out;
    }

    @Override
    public int ioTimeout(String lockspace) throws SanlockException {
        return engine.lockspace(lockspace).orElseThrow(
                () -> new SanlockException(SanlockError.ENOSPC, "lockspace " + lockspace + " unknown")).ioTimeout();
    }

    @Override
    public void setConfig(String lockspace, int cmd) throws SanlockException {
        LockspaceInfo i = engine.lockspace(lockspace).orElseThrow(
                () -> new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " unknown"));
        if (cmd == CommandFlags.CONFIG_USED && i.state() == LockspaceState.LOST) {
            throw new SanlockException(SanlockError.ENOSPC, "lockspace " + lockspace + " has failed");
        }
        switch (cmd) {
            case CommandFlags.CONFIG_USED -> externalUsed.put(lockspace, 1);
            case CommandFlags.CONFIG_UNUSED -> externalUsed.put(lockspace, 0);
            case CommandFlags.CONFIG_USED_BY_ORPHANS -> usedByOrphans.put(lockspace, 1);
            default -> usedByOrphans.put(lockspace, 0);
        }
    }

    // ---------------------------------------------------------------- resource leases

    @Override
    public HeldLease acquire(Resource r, int cmdFlags, int pid) throws SanlockException {
        return acquire(r, cmdFlags, pid, takeTokenIds(1));
    }

    @Override
    public int takeTokenIds(int count) {
        return tokens.takeTokenIds(count);
    }

    @Override
    public HeldLease acquire(Resource r, int cmdFlags, int pid, int tokenId) throws SanlockException {
        if ((cmdFlags & (CommandFlags.ACQUIRE_ORPHAN | CommandFlags.ACQUIRE_ORPHAN_ONLY)) != 0 || !orphans.isEmpty()) {
            for (Orphan o : orphans) {
                if (o.lease().sameName(r)) {
                    if ((cmdFlags & CommandFlags.ACQUIRE_ORPHAN) == 0 || o.lease().shared() != ((r.flags() & ResourceFlags.SHARED) != 0)) {
                        throw new SanlockException(SanlockError.EUCLEAN, "resource " + r.name() + " exists as an orphan");
                    }
                    orphans.remove(o);
                    return o.lease();
                }
            }
        }
        TokenTable.Pending pending = tokens.begin(r.lockspace(), r.name(), engine.lockspace(r.lockspace()).isPresent());
        try {
            HeldLease held = acquireFromEngine(r, cmdFlags);
            ResourceLease lease = (ResourceLease) held.handle();
            tokens.granted(pending, lease.id(), tokenId, engine.leaseGeometry(lease).orElse(Geometry.S512_A1M));
            return held;
        } catch (SanlockException | RuntimeException e) {
            tokens.failed(pending);
            throw e;
        }
    }

    /** Ends a lease's token: its resource stays cached with its res_id ({@link TokenTable}). */
    private void dropToken(ResourceLease lease) {
        tokens.drop(lease.id(), lease.lockspace(), lease.resource());
    }

    /** The token status -D shows for a lease, {@link Token#NONE} for one this backend does not know. */
    Token tokenOf(HeldLease lease) {
        return lease.handle() instanceof ResourceLease rl ? tokens.of(rl.id()) : Token.NONE;
    }

    private HeldLease acquireFromEngine(Resource r, int cmdFlags) throws SanlockException {
        boolean shared = (r.flags() & ResourceFlags.SHARED) != 0;
        AcquireOptions opt = new AcquireOptions(shared ? LeaseMode.SHARED : LeaseMode.EXCLUSIVE,
                (r.flags() & ResourceFlags.LVER) != 0 ? r.lver() : 0,
                (cmdFlags & CommandFlags.ACQUIRE_OWNER_NOWAIT) != 0,
                (r.flags() & ResourceFlags.NUM_HOSTS) != 0 ? r.data32() : 0, holder);
        ResourceLease lease = engine.acquire(spec(r), opt);
        boolean lvb = (cmdFlags & CommandFlags.ACQUIRE_LVB) != 0;
        if (lvb) {
            try {
                lvbs.put(lease.id(), new Lvb(r.lockspace(), r.name(), r.disks().get(0), DaemonStorage.readLvb(r.disks().get(0))));
            } catch (SanlockException e) {
                engine.release(lease);
                throw e;
            }
        }
        return new HeldLease(r, shared, lease.lver(), (r.flags() & ResourceFlags.PERSISTENT) != 0, lvb, lease);
    }

    @Override
    public boolean isHeld(HeldLease lease) {
        return engine.isHeld((ResourceLease) lease.handle());
    }

    @Override
    public int spaceId(String lockspace) {
        return spaceIds.getOrDefault(lockspace, 0);
    }

    @Override
    public void release(HeldLease lease) throws SanlockException {
        releaseRenaming(lease, null);
    }

    @Override
    public void releaseRenaming(HeldLease lease, String newName) throws SanlockException {
        ResourceLease rl = (ResourceLease) lease.handle();
        Lvb lvb = lvbs.remove(rl.id());
        if (lvb != null && lvb.set && engine.isHeld(rl)) {
            try {
                DaemonStorage.writeLvb(lvb.disk, lvb.data); // before the release, while we still own the lease
            } catch (SanlockException e) {
                log.error("r" + lvb.lockspace + ":" + lvb.name + " write lvb failed " + e.code() + ": " + e.getMessage());
            }
        }
        try {
            engine.release(rl, newName);
        } finally {
            dropToken(rl);
        }
    }

    @Override
    public void releaseIndexLease(HeldLease lease) throws SanlockException {
        try {
            engine.release((ResourceLease) lease.handle(), null, false);
        } finally {
            dropToken((ResourceLease) lease.handle());
        }
    }

    private Lvb lvbOf(Resource r) throws SanlockException {
        boolean heldWithoutLvb = false;
        for (ResourceLease l : engine.leases(r.lockspace())) {
            if (l.resource().equals(r.name())) {
                Lvb v = lvbs.get(l.id());
                if (v != null) {
                    return v;
                }
                heldWithoutLvb = true;
            }
        }
        if (heldWithoutLvb) {
            throw new SanlockException(SanlockError.EINVAL, "resource " + r.name() + " was not acquired with the LVB flag");
        }
        throw new SanlockException(SanlockError.ENOENT, "resource " + r.name() + " is not held here");
    }

    @Override
    public void orphan(HeldLease lease, int pid) {
        orphans.add(new Orphan(lease, pid));
    }

    @Override
    public int releaseOrphans(String lockspace, String name) throws SanlockException {
        int n = 0;
        for (Orphan o : orphans) {
            Resource r = o.lease().resource();
            if (r.lockspace().equals(lockspace) && (name.isEmpty() || r.name().equals(name))) {
                orphans.remove(o);
                try {
                    engine.release((ResourceLease) o.lease().handle());
                } finally {
                    dropToken((ResourceLease) o.lease().handle());
                }
                n++;
            }
        }
        return n;
    }

    @Override
    public HeldLease convert(HeldLease lease, boolean toShared, int cmdFlags) throws SanlockException {
        ResourceLease rl = (ResourceLease) lease.handle();
        // The engine keeps the lease held in its old mode when the conversion fails
        // (-11 for SH->EX with other live shared holders), so the client's token stays as it was.
        ResourceLease now = engine.convert(rl, toShared ? LeaseMode.SHARED : LeaseMode.EXCLUSIVE);
        Lvb v = lvbs.remove(rl.id());
        if (v != null) {
            lvbs.put(now.id(), v);
        }
        return new HeldLease(lease.resource(), now.mode() == LeaseMode.SHARED, now.lver(), lease.persistent(), lease.lvb(), now);
    }

    @Override
    public void request(Resource r, int forceMode, int cmdFlags) throws SanlockException {
        engine.request(spec(r), (r.flags() & ResourceFlags.LVER) != 0 ? r.lver() : 0, forceMode,
                (cmdFlags & CommandFlags.REQUEST_NEXT_LVER) != 0);
    }

    @Override
    public void examine(Lockspace ls, Resource r) {
        try {
            engine.examine(ls != null ? ls.name() : r.lockspace());
        } catch (SanlockException e) {
            // the reference answers 0 even for unknown names
        }
    }

    @Override
    public List<StateRecord> resourceRecords(List<ClientLeases> holders) {
        List<StateRecord> out = new ArrayList<>();
        // The reference lists held resources most recently acquired first (wire.md 5.1); engine
        // handle ids grow with each acquire, so sort on them, newest first.
        record Held(int pid, HeldLease lease) {}
        List<Held> held = new ArrayList<>();
        for (ClientLeases cl : holders) {
            for (HeldLease l : cl.leases()) {
                held.add(new Held(cl.pid(), l));
            }
        }
        held.sort((x, y) -> Long.compare(((ResourceLease) y.lease().handle()).id(), ((ResourceLease) x.lease().handle()).id()));
        for (Held h : held) {
            out.add(resourceRecord(h.lease(), h.pid(), "held", tokenOf(h.lease())));
        }
        for (Orphan o : orphans) {
            Token t = tokenOf(o.lease());
            out.add(resourceRecord(o.lease(), o.pid(), "orphan", new Token(0, t.resId(), t.reused(), t.geometry())));
        }
        return out;
    }

    static StateRecord resourceRecord(HeldLease l, int pid, String list, Token token) {
        Resource r = l.resource();
        String text = "list=" + list + " flags=" + Integer.toHexString((l.shared() ? 1 : 0) | (l.lvb() ? 0x20 : 0))
                + " sector_size=" + token.geometry().sectorSize() + " align_size=" + token.geometry().alignSize()
                + " lver=" + l.lver() + " reused=" + token.reused() + " res_id=" + token.resId() + " token_id=" + token.tokenId();
        Resource tail = new Resource(r.lockspace(), r.name(), 0, 0, 0, l.shared() ? ResourceFlags.SHARED : 0,
                r.disks().size(), r.disks());
        return new StateRecord(StateType.RESOURCE, 0, pid, l.lver(), r.name(), text, null, tail);
    }

    // ---------------------------------------------------------------- storage, lvb, events

    @Override public long align(Disk disk) throws SanlockException { return DaemonStorage.align(disk); }
    @Override public void writeLockspace(Lockspace ls, int ioTimeout) throws SanlockException { DaemonStorage.writeLockspace(ls, ioTimeout); }
    @Override public void writeResource(Resource r, int numHosts, boolean clear) throws SanlockException { DaemonStorage.writeResource(r, numHosts, clear); }
    @Override public LockspaceRead readLockspace(Lockspace ls) throws SanlockException { return DaemonStorage.readLockspace(ls); }
    @Override public Resource readResource(Resource r) throws SanlockException { return DaemonStorage.readResource(r); }
    @Override public Owners readResourceOwners(Resource r) throws SanlockException { return DaemonStorage.readResourceOwners(r); }
    @Override
    public void setLvb(Resource r, byte[] data) throws SanlockException {
        Lvb v = lvbOf(r);
        synchronized (v) {
            if (data.length > v.data.length) {
                throw new SanlockException(SanlockError.E2BIG, "lvb of " + data.length + " bytes exceeds the sector size " + v.data.length);
            }
            System.arraycopy(data, 0, v.data, 0, data.length);
            v.set = true;
        }
    }

    @Override
    public byte[] getLvb(Resource r, int size) throws SanlockException {
        Lvb v = lvbOf(r);
        synchronized (v) {
            int n = size == 0 ? v.data.length : size;
            if (n > v.data.length) {
                throw new SanlockException(SanlockError.E2BIG, "lvb of " + n + " bytes exceeds the sector size " + v.data.length);
            }
            return java.util.Arrays.copyOf(v.data, n);
        }
    }
    /**
     * SET_EVENT: the engine publishes (generation, event, data) with our next renewals and
     * sets the destination's bit. CUR_GENERATION fills a zero generation from the
     * destination's current one; ALL_HOSTS addresses every host the lockspace has seen.
     * The engine keeps one outgoing event per lockspace, so a different event within the
     * bitmap time is -16 — REPLACE and the CLEAR flags are not offered by the engine and
     * are answered -95 rather than silently ignored.
     */
    @Override
    public void setEvent(String lockspace, HostEvent event, int flags) throws SanlockException {
        LockspaceInfo info = engine.lockspace(lockspace).orElseThrow(
                () -> new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " unknown"));
        io.jsanlock.engine.EventFlags how = new io.jsanlock.engine.EventFlags(
                (flags & CommandFlags.SETEV_REPLACE_EVENT) != 0,
                (flags & CommandFlags.SETEV_CLEAR_HOSTID) != 0,
                (flags & CommandFlags.SETEV_CLEAR_EVENT) != 0);
        List<Long> targets = new ArrayList<>();
        if ((flags & CommandFlags.SETEV_ALL_HOSTS) != 0) {
            for (HostInfo h : engine.hosts(lockspace)) {
                if (h.hostId() != info.hostId() && h.timestamp() != 0) {
                    targets.add(h.hostId());
                }
            }
        } else {
            targets.add(event.hostId());
        }
        for (long target : targets) {
            long generation = event.generation();
            if (generation == 0 && (flags & CommandFlags.SETEV_CUR_GENERATION) != 0) {
                for (HostInfo h : engine.hosts(lockspace)) {
                    if (h.hostId() == target) {
                        generation = h.generation();
                    }
                }
            }
            engine.setEvent(lockspace, target, generation, event.event(), event.data(), how);
        }
    }

    @Override
    public void checkEventLockspace(String lockspace) throws SanlockException {
        if (engine.lockspace(lockspace).isEmpty()) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " unknown");
        }
    }

    /** Events other hosts set for us arrive from the engine's renewal scans; they go out as callback records. */
    @Override
    public void onEvent(EventSink sink) {
        engine.addListener(new io.jsanlock.engine.LockspaceListener() {
            @Override
            public void hostEvent(io.jsanlock.engine.HostEvent e) {
                long me = engine.lockspace(e.lockspace()).map(LockspaceInfo::hostId).orElse(0L);
                log.info("s" + e.lockspace() + " event from host " + e.fromHostId() + " gen " + e.fromGeneration()
                        + " event " + e.event() + " data " + e.data());
                sink.deliver(e.lockspace(), new io.jsanlock.wire.EventCallback(
                        new HostEvent(me, e.generation(), e.event(), e.data()), e.fromHostId(), e.fromGeneration()));
            }
        });
    }

    @Override
    public void shutdown() {
        engine.close();
    }
}
