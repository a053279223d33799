package io.jsanlock.engine;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.RequestRecord;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.lease.LockspaceMember;
import io.jsanlock.lease.PaxosLease;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resource leases of this host (sanlock's {@code resource.c}): acquire, release, convert,
 * drop with a lost or left lockspace, the leases in a lockspace, and the wait for acquires
 * still balloting in a lockspace being left.
 *
 * <p><b>No global lock.</b> Resources live in a concurrent map; each {@link HeldResource} has
 * its own monitor, held only for bookkeeping, never across disk I/O, and never two at once.
 * Two acquires of different resources share nothing but the buffer pool (lock-free). A
 * second local acquire of a resource being acquired gets -16, of one being released -11, of
 * one held -17 (shared+shared joins). Where a grant must be decided together with the
 * lockspace's state, the lockspace's monitor is taken first (lock order: lockspace, then
 * resource).
 */
final class ResourceTable {
    private final EngineContext ctx;
    private final ReleaseRetries retries;
    private final ConcurrentHashMap<ResourceKey, HeldResource> resources = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    ResourceTable(EngineContext ctx) {
        this.ctx = ctx;
        this.retries = new ReleaseRetries(ctx);
    }

    static ResourceSpec.Disk oneDisk(ResourceSpec res) throws SanlockException {
        if (res.disks().isEmpty() || res.disks().size() > ResourceSpec.MAX_DISKS) {
            throw new SanlockException(SanlockError.ERANGE, "resource " + res.name() + " needs 1 to 4 disks");
        }
        if (res.disks().size() > 1) {
            throw new SanlockException(SanlockError.EOPNOTSUPP, "resource " + res.name()
                    + ": jsanlock supports one disk per resource");
        }
        return res.disk();
    }

    /** The paxos lease at {@code offset} of {@code path}, in {@code ls}. */
    private PaxosLease paxos(Lockspace ls, String path, long offset, String resource) throws SanlockException {
        return ctx.paxos.open(ctx.storage.open(path), offset, ls.joinedMember().delta().geometry(), ls.name(), resource);
    }

    // ---------------------------------------------------------------- acquire

    /** See {@link LeaseEngine#acquire}; {@code ls} was joined when the caller looked. */
    ResourceLease acquire(Lockspace ls, ResourceSpec res, AcquireOptions opt) throws SanlockException {
        ResourceSpec.Disk disk = oneDisk(res);
        LeaseMode mode = res.shared() || opt.mode() == LeaseMode.SHARED ? LeaseMode.SHARED : LeaseMode.EXCLUSIVE;
        long lver = opt.requiredLver() != 0 ? opt.requiredLver() : (res.hasLver() ? res.lver() : 0);
        ResourceKey key = new ResourceKey(res.lockspaceName(), res.name());
        HeldResource fresh = new HeldResource(key, ls, disk.path(), disk.offset());
        while (true) {
            HeldResource cur = resources.putIfAbsent(key, fresh);
            if (cur == null) {
                break;
            }
            synchronized (cur) {
                if (resources.get(key) != cur) {
                    continue;
                }
                switch (cur.phase) {
                    case ACQUIRING -> throw new SanlockException(SanlockError.EBUSY, "resource " + res.name()
                            + " is being acquired here");
                    case RELEASING -> throw new SanlockException(SanlockError.EAGAIN, "resource " + res.name()
                            + " is being released here");
                    default -> {
                        if (cur.lost) {
                            throw new SanlockException(SanlockError.ENOSPC, "resource " + res.name()
                                    + " was lost with its lockspace");
                        }
                        if (mode == LeaseMode.SHARED && cur.mode == LeaseMode.SHARED) {
                            return addHandle(cur, opt.holder());
                        }
                        throw new SanlockException(SanlockError.EEXIST, "resource " + res.name()
                                + " is already held here");
                    }
                }
            }
        }
        try {
            LockspaceMember m = ls.joinedMember(); // a lockspace that grants has joined
            PaxosLease p = paxos(ls, disk.path(), disk.offset(), res.name());
            PaxosLease.Token tok = new PaxosLease.Token(ls.spec.hostId(), m.delta().generation(), ls.mine);
            p.acquire(tok, new PaxosLease.Options(mode == LeaseMode.SHARED, lver, opt.ownerNoWait(), opt.numHosts()), m);
            // The grant and the lockspace's state are decided together, under the lockspace's
            // monitor (lock order ls -> resource, as the removal's): a lockspace that was lost
            // or started leaving while we balloted gets no new holder. Returning the lease
            // (even marked lost) would be unsafe: the fencing of a lost lockspace and the
            // holder check of a removal have already looked for holders and not seen this one,
            // and once the host_id is released or rejoined with a new generation, other hosts
            // take our leases at once. The committed lease stays on disk under our old
            // generation, with no release I/O, exactly like the leases dropped at the loss.
            synchronized (ls) {
                if (!ls.grants()) {
                    LockspaceState st = ls.state();
                    ctx.log.logf("r%s:%s acquire dropped: lockspace %s while acquiring, no release I/O",
                            res.lockspaceName(), res.name(), st);
                    throw new SanlockException(SanlockError.ENOSPC, "lockspace " + ls.name() + " was "
                            + (st == LockspaceState.LOST ? "lost" : "left") + " while acquiring " + res.name());
                }
                synchronized (fresh) {
                    fresh.paxos = p;
                    fresh.token = tok;
                    fresh.mode = mode;
                    fresh.phase = HeldResource.Phase.HELD;
                    return addHandle(fresh, opt.holder());
                }
            }
        } catch (SanlockException | RuntimeException e) {
            resources.remove(key, fresh);
            throw e;
        }
    }

    private ResourceLease addHandle(HeldResource r, LeaseHolder holder) {
        PaxosLease.Token token = r.token();
        ResourceLease lease = new ResourceLease(r.key.lockspace(), r.key.resource(), r.path, r.offset, r.mode(),
                token.lver(), token.hostId(), token.generation(), ids.incrementAndGet());
        r.handles.put(lease.id(), new HeldResource.Handle(lease, holder));
        return lease;
    }

    /**
     * Waits until no acquire in {@code ls} is balloting. Each ends promptly once the
     * lockspace is leaving (a ballot's I/O is bounded by io_timeout; owner waits poll
     * {@link io.jsanlock.lease.OwnerView#leaving()} every second) and then fails. Polls on
     * the engine's clock, so on a manual clock the wait is seen as one.
     */
    void awaitAcquiresEnded(Lockspace ls) {
        while (!ctx.halted) {
            boolean busy = false;
            for (HeldResource r : resources.values()) {
                if (r.ls == ls) {
                    synchronized (r) {
                        busy |= r.phase == HeldResource.Phase.ACQUIRING;
                    }
                }
            }
            if (!busy) {
                return;
            }
            try {
                ctx.clock.sleepNanos(5_000_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ------------------------------------------------------------------ query

    Optional<Geometry> leaseGeometry(ResourceLease lease) {
        HeldResource r = resources.get(new ResourceKey(lease.lockspace(), lease.resource()));
        if (r == null) {
            return Optional.empty();
        }
        synchronized (r) {
            return r.paxos == null || !r.handles.containsKey(lease.id()) ? Optional.empty() : Optional.of(r.paxos.geometry());
        }
    }

    boolean isHeld(ResourceLease lease) {
        HeldResource r = resources.get(new ResourceKey(lease.lockspace(), lease.resource()));
        if (r == null) {
            return false;
        }
        synchronized (r) {
            return !r.lost && r.handles.containsKey(lease.id());
        }
    }

    /** Leases held (inquire), optionally only in one lockspace (null = all). */
    List<ResourceLease> leases(String lockspace) {
        List<ResourceLease> out = new ArrayList<>();
        for (HeldResource r : resources.values()) {
            if (lockspace != null && !r.key.lockspace().equals(lockspace)) {
                continue;
            }
            synchronized (r) {
                if (!r.lost) {
                    for (HeldResource.Handle h : r.handles.values()) {
                        out.add(h.lease());
                    }
                }
            }
        }
        return out;
    }

    /** Every lease held in {@code ls}, lost or not; non-empty too while an acquire in it is balloting. */
    List<ResourceLease> leasesIn(Lockspace ls) {
        List<ResourceLease> out = new ArrayList<>();
        for (HeldResource r : resources.values()) {
            if (r.ls == ls) {
                synchronized (r) {
                    for (HeldResource.Handle h : r.handles.values()) {
                        out.add(h.lease());
                    }
                    if (r.phase == HeldResource.Phase.ACQUIRING && r.handles.isEmpty()) {
                        out.add(null);
                    }
                }
            }
        }
        out.removeIf(Objects::isNull);
        return out;
    }

    // ---------------------------------------------------------------- release

    /** See {@link LeaseEngine#release(ResourceLease, String, boolean)}. */
    void release(ResourceLease lease, @Nullable String newName, boolean markReleased) throws SanlockException {
        ResourceKey key = new ResourceKey(lease.lockspace(), lease.resource());
        HeldResource r = resources.get(key);
        if (r == null) {
            throw new SanlockException(SanlockError.EPERM, "resource " + lease.resource() + " is not held");
        }
        synchronized (r) {
            if (r.handles.remove(lease.id()) == null) {
                throw new SanlockException(SanlockError.EPERM, "resource " + lease.resource() + " is not held by this handle");
            }
            if (r.lost || ctx.halted) {
                if (r.handles.isEmpty()) {
                    resources.remove(key, r);
                }
                ctx.log.logf("r%s:%s release lost lease, no I/O", lease.lockspace(), lease.resource());
                return;
            }
            if (!r.handles.isEmpty()) {
                return; // other local shared holders remain
            }
            r.phase = HeldResource.Phase.RELEASING;
        }
        long started = ctx.clock.seconds();
        try {
            r.paxos().release(r.token(), newName, markReleased);
            resources.remove(key, r);
        } catch (SanlockException e) {
            if (e.error() == SanlockError.AIO_TIMEOUT) {
                ctx.log.logf("r%s:%s release timeout, retry async", lease.lockspace(), lease.resource());
                retries.start(r, started, () -> resources.remove(r.key, r));
                return;
            }
            resources.remove(key, r);
            throw e;
        }
    }

    /** Marks every lease of the lockspace lost (no I/O) and tells its holders; returns them. */
    List<ResourceLease> drop(Lockspace ls, LossReason why) {
        List<ResourceLease> out = new ArrayList<>();
        for (HeldResource r : resources.values()) {
            if (r.ls != ls) {
                continue;
            }
            List<HeldResource.Handle> hs;
            synchronized (r) {
                r.lost = true;
                hs = new ArrayList<>(r.handles.values());
            }
            for (HeldResource.Handle h : hs) {
                out.add(h.lease());
                ctx.events.toHolder(() -> h.holder().leaseLost(h.lease(), why));
            }
            synchronized (r) {
                // an acquire still running keeps its entry: it finds the lockspace lost, marks its
                // lease lost and tells the holder, who then releases it (no I/O)
                if (r.handles.isEmpty() && r.phase != HeldResource.Phase.ACQUIRING) {
                    resources.remove(r.key, r);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- convert

    /** See {@link LeaseEngine#convert}. */
    ResourceLease convert(ResourceLease lease, LeaseMode to) throws SanlockException {
        ResourceKey key = new ResourceKey(lease.lockspace(), lease.resource());
        HeldResource r = resources.get(key);
        if (r == null) {
            throw new SanlockException(SanlockError.ENOENT, "resource " + lease.resource() + " is not held");
        }
        HeldResource.Handle h;
        synchronized (r) {
            h = r.handles.get(lease.id());
            if (h == null) {
                throw new SanlockException(SanlockError.ENOENT, "resource " + lease.resource() + " is not held by this handle");
            }
            if (r.lost) {
                throw new SanlockException(SanlockError.ENOSPC, "resource " + lease.resource() + " was lost");
            }
            if (r.phase != HeldResource.Phase.HELD) {
                throw new SanlockException(SanlockError.EBUSY, "resource " + lease.resource() + " is busy here");
            }
            if (r.mode == to) {
                throw new SanlockException(SanlockError.EALREADY, "resource " + lease.resource() + " is already " + to);
            }
            if (r.handles.size() > 1) {
                throw new SanlockException(SanlockError.EAGAIN, "resource " + lease.resource()
                        + " is also held shared by other local holders");
            }
            r.phase = HeldResource.Phase.ACQUIRING;
        }
        try {
            r.paxos().convert(r.token(), to == LeaseMode.SHARED, r.ls.joinedMember());
        } finally {
            synchronized (r) {
                r.phase = HeldResource.Phase.HELD;
                LeaseMode mode = r.token().shared() ? LeaseMode.SHARED : LeaseMode.EXCLUSIVE;
                r.mode = mode;
                ResourceLease now = new ResourceLease(lease.lockspace(), lease.resource(), lease.path(), lease.offset(),
                        mode, r.token().lver(), lease.hostId(), lease.generation(), lease.id());
                r.handles.put(lease.id(), new HeldResource.Handle(now, h.holder()));
            }
        }
        synchronized (r) {
            return r.handles.get(lease.id()).lease();
        }
    }

    // --------------------------------------------------------------- requests

    /** See {@link LeaseEngine#request}. */
    long request(Lockspace ls, ResourceSpec res, long lver, int forceMode, boolean nextLver) throws SanlockException {
        ResourceSpec.Disk disk = oneDisk(res);
        long owner = paxos(ls, disk.path(), disk.offset(), res.name()).request(lver, forceMode, nextLver, ls.mine);
        if (owner != 0) {
            ls.askToLook(owner);
        }
        return owner;
    }

    Leader readLeader(Lockspace ls, ResourceSpec res) throws SanlockException {
        ResourceSpec.Disk disk = oneDisk(res);
        return paxos(ls, disk.path(), disk.offset(), res.name()).readLeader(ls.mine);
    }

    /** Reads the request record of every lease held in the lockspace and tells holders of newer requests (3.8). */
    void examine(Lockspace ls) {
        for (HeldResource r : resources.values()) {
            if (r.ls != ls) {
                continue;
            }
            List<HeldResource.Handle> hs;
            long lver;
            synchronized (r) {
                if (r.phase != HeldResource.Phase.HELD || r.lost) {
                    continue;
                }
                hs = new ArrayList<>(r.handles.values());
                lver = r.token().lver();
            }
            try {
                RequestRecord req = paxos(ls, r.path, r.offset, r.key.resource()).readRequest(ls.mine);
                if (req.forceMode() != 0 && req.lver() > lver) {
                    ctx.log.logf("r%s:%s request lver %d force %d held lver %d", ls.name(), r.key.resource(), req.lver(),
                            req.forceMode(), lver);
                    for (HeldResource.Handle h : hs) {
                        ctx.events.toHolder(() -> h.holder().releaseRequested(h.lease(), req.lver(), req.forceMode()));
                    }
                }
            } catch (SanlockException e) {
                ctx.log.logf("r%s:%s examine error %d", ls.name(), r.key.resource(), e.code());
            }
        }
    }
}
