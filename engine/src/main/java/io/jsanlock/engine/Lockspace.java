package io.jsanlock.engine;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.AreaScan;
import io.jsanlock.lease.DeltaLease;
import io.jsanlock.lease.HostStatus;
import io.jsanlock.lease.HostTable;
import io.jsanlock.lease.LeaseStorage;
import io.jsanlock.lease.LockspaceMember;
import io.jsanlock.lease.Timeouts;
import java.util.Objects;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One lockspace on this host (sanlock's {@code lockspace.c}): my delta lease and its state
 * machine, owned here and changed only by this class —
 *
 * <pre>
 *   JOINING --join--> JOINED <--renewal again within 6N-- FAILING
 *                       |  \--no renewal for 6N--> FAILING --8N or corrupt--> LOST
 *                       |                                                    |  every holder released
 *                       +--beginRemoval--> REMOVING --completeRemoval-->  REMOVED <-+  (leaving at once)
 * </pre>
 *
 * <p><b>Threads.</b> The join runs on the caller's thread (or a worker, for an async join).
 * Renewals run on the lockspace's own thread (the reference's lockspace thread), each one
 * scheduled 2N+0.5 s after the last success (0.5 s after a failed attempt); each renewal's
 * read of the whole area also feeds the host table (docs/algorithms.md 2.6). {@link #check()}
 * runs on the engine's monitor thread every 200 ms: it compares {@code now - lastSuccess}
 * with 6N/8N/8N+G (2.7) and moves the state — never later than the reference, which checks
 * once a second. Fields read across threads are volatile; a change of state that must be
 * decided together with another step (a grant, the start of a removal, a set_event) is made
 * under this object's monitor (lock order: lockspace, then resource).
 *
 * <p><b>Invariants.</b> The host_id is released (delta timestamp 0) only by
 * {@link #finishRemoval()}, after renewals stopped, only if the last renewal succeeded, and
 * never while an acquire in this lockspace is still balloting (a freed host_id lets other
 * hosts take our leases at once). Events go to listeners through {@link EventDispatch}; the
 * {@link RenewalObserver} is called synchronously where the reference talks to its watchdog.
 */
final class Lockspace {
    /** The delay between a renewal becoming due (2N after the last success) and its I/O, as the reference's. */
    private static final long RENEWAL_HALF_SECOND = 500_000_000L;

    final LockspaceSpec spec;
    final Timeouts mine;
    private final LeaseStorage disk;
    private final EngineContext ctx;
    private final ResourceTable resources;
    /** Takes this lockspace out of the engine's table once it is gone. */
    private final Runnable unregister;

    private volatile @Nullable LockspaceMember member;
    private volatile LockspaceState state = LockspaceState.JOINING;
    private volatile long lastSuccess;
    private volatile long lastAttempt;
    private volatile int lastResult;
    private volatile boolean corrupt;
    /** Renewals stop (removal completing, lost lockspace leaving, halt). */
    private volatile boolean stop;
    private volatile @Nullable ExecutorService renewalThread;
    private volatile @Nullable Future<?> nextRenewal;
    private volatile @Nullable Thread renewing;
    // the monitor thread's own bookkeeping
    private volatile long lastWarnLogged;
    private volatile boolean killFired;
    private volatile boolean finishing;

    /** host id → my local second when I asked it to look (request written, set_event); bit set for 6N. */
    private final ConcurrentHashMap<Long, Long> notify = new ConcurrentHashMap<>();
    /** My outgoing host event {generation, event, data} and when it was set (my second), or null. */
    private volatile long @Nullable [] outEvent;
    private volatile long outEventSet;
    /** The renewal history (client renewal), oldest first, at most {@link #historySize} records. */
    private final ArrayDeque<RenewalRecord> history = new ArrayDeque<>();
    private final int historySize;

    Lockspace(LockspaceSpec spec, Timeouts mine, LeaseStorage disk, EngineContext ctx, ResourceTable resources,
              Runnable unregister) {
        this.spec = spec;
        this.mine = mine;
        this.disk = disk;
        this.ctx = ctx;
        this.resources = resources;
        this.unregister = unregister;
        this.historySize = ctx.renewalHistorySize;
    }

    String name() {
        return spec.name();
    }

    LockspaceState state() {
        return state;
    }

    /** Null until the join has read the lockspace's geometry. */
    @Nullable LockspaceMember member() {
        return member;
    }

    /**
     * The member of a lockspace past its join's first read: renewals, host scans, events and
     * the leases acquired in it all start only after the join has set it.
     */
    LockspaceMember joinedMember() {
        return Objects.requireNonNull(member, "lockspace joined");
    }

    /** True while leases may be granted in this lockspace (JOINED or FAILING). */
    boolean grants() {
        LockspaceState s = state;
        return s == LockspaceState.JOINED || s == LockspaceState.FAILING;
    }

    long generation() {
        LockspaceMember m = member;
        return m == null ? 0 : m.delta().generation();
    }

    LockspaceInfo info() {
        return new LockspaceInfo(spec.name(), spec.hostId(), spec.path(), spec.offset(), mine.ioTimeout(), generation(),
                state, lastSuccess, lastAttempt, lastResult);
    }

    /** The geometry read at the join, or null before. */
    @Nullable Geometry geometry() {
        LockspaceMember m = member;
        return m == null ? null : m.delta().geometry();
    }

    // ------------------------------------------------------------------- join

    /**
     * Acquires the host_id and starts renewing (add_lockspace). On failure the lockspace is
     * REMOVED and out of the engine's table.
     */
    void join() throws SanlockException {
        boolean observed = false;
        try {
            Geometry g = DeltaLease.readGeometry(disk, spec.offset(), spec.name(), mine);
            if (spec.hostId() > g.maxHosts()) {
                throw new SanlockException(SanlockError.ADDLS_INVALID_HOSTID, "host_id " + spec.hostId()
                        + " is above max_hosts " + g.maxHosts() + " of " + spec.name());
            }
            DeltaLease d = new DeltaLease(disk, spec.offset(), g, spec.name(), spec.hostId(), ctx.hostName, mine,
                    ctx.clock, ctx.log, ctx.areaBuffers);
            LockspaceMember m = new LockspaceMember(d, ctx.clock);
            member = m;
            d.join(() -> stop || ctx.halted);
            lastSuccess = d.lastSuccess();
            lastAttempt = d.lastSuccess();
            lastResult = 0;
            recordSuccess(d.lastSuccess(), 0, 0); // the reference's first record: the join, with 0 ms
            // A join can outlast our own renewal interval, even our 8N failure threshold: its short
            // delay uses the io_timeout stored in the slot (2*Dx: 20 s for a slot initialised with the
            // default 10) while our thresholds use our own N (8 s at N=1). The reference renews at once
            // after such a join. We do that renewal here, before the lockspace becomes JOINED and visible
            // to the monitor, so the join's old timestamp is never judged as a renewal failure. It is the
            // same read-verify-write the renewal thread would issue a moment later: no I/O is skipped.
            // An ordinary join (2N delay on a slot holding our own N) is left to the renewal thread, as
            // before: only a join that reached within a second of the 6N warning renews here.
            if (ctx.clock.seconds() - lastSuccess >= mine.idRenewalWarnSeconds() - 1 && !stop && !ctx.halted) {
                lastAttempt = ctx.clock.seconds();
                long ts = m.renew(null, null, this::noticesLater);
                lastSuccess = ts;
                recordSuccess(ts, d.lastReadMillis(), d.lastWriteMillis());
                ctx.log.logf("s%s:%d renewed at once after a join longer than %d s", spec.name(), spec.hostId(),
                        mine.idRenewalSeconds());
            }
            // Before the lockspace is JOINED (visible to acquires) and before add_lockspace returns:
            // the reference arms its watchdog here, so no lease is granted on a host that could
            // not be fenced.
            observed = true;
            notifyObserver(() -> ctx.observer.joined(spec, mine, lastSuccess));
            synchronized (this) {
                if (stop || ctx.halted) {
                    throw new SanlockException(SanlockError.EPERM, "lockspace " + spec.name()
                            + " was removed while joining");
                }
                state = LockspaceState.JOINED;
            }
            ctx.log.logf("s%s:%d add_lockspace done generation %d", spec.name(), spec.hostId(), d.generation());
            startRenewals();
        } catch (SanlockException | RuntimeException | Error e) {
            // Whatever ended the join, the lockspace must leave ADD: a join that died of an
            // OutOfMemoryError used to stay in ADD for good (bin/bench-scale, docs/benchmarks.md).
            SanlockException failure = e instanceof SanlockException se ? se
                    : new SanlockException(e instanceof OutOfMemoryError ? SanlockError.ENOMEM : SanlockError.ERROR,
                            "add_lockspace " + spec.name() + " failed: " + e, e);
            ctx.log.logf("s%s:%d add_lockspace fail %d", spec.name(), spec.hostId(), failure.code());
            state = LockspaceState.REMOVED;
            unregister.run();
            if (observed && !ctx.halted) {
                notifyObserver(() -> ctx.observer.removed(spec));
            }
            throw failure;
        }
    }

    // ---------------------------------------------------------------- renewal

    private void startRenewals() {
        renewalThread = Executors.newSingleThreadExecutor(
                r -> EngineContext.daemonThread(r, ctx.threadName("renew-" + spec.name())));
        scheduleRenewal();
    }

    private ExecutorService renewalThread() {
        return Objects.requireNonNull(renewalThread, "renewals started");
    }

    /**
     * The next renewal: due once {@code now - lastSuccess} reaches 2N on whole seconds, then
     * issued half a second later (right away plus the half second after a failed attempt).
     */
    private void scheduleRenewal() {
        if (stop || ctx.halted) {
            return;
        }
        long dueNanos = (lastSuccess + mine.idRenewalSeconds()) * 1_000_000_000L;
        long delay = Math.max(0, dueNanos - ctx.clock.nanos()) + RENEWAL_HALF_SECOND;
        nextRenewal = ctx.scheduler.schedule(renewalThread(), this::renewOnce, delay);
    }

    private void renewOnce() {
        if (stop || ctx.halted) {
            return;
        }
        renewing = Thread.currentThread();
        try {
            renew();
        } finally {
            renewing = null;
            scheduleRenewal();
        }
    }

    private void renew() {
        LockspaceMember m = joinedMember();
        long nowS = ctx.clock.seconds();
        byte[] bitmap = bitmap(nowS);
        long[] ev = outEvent;
        synchronized (this) { // not to drop an event set_event stores meanwhile
            if (ev != null && outEvent == ev && nowS - outEventSet > mine.setBitmapSeconds()) {
                outEvent = null; // published for set_bitmap_seconds, then the fields go back to 0
                ev = null;
            }
        }
        lastAttempt = nowS;
        try {
            long ts = m.renew(bitmap, ev, this::noticesLater);
            lastSuccess = ts;
            lastResult = 0;
            RenewalRecord r = recordSuccess(ts, m.delta().lastReadMillis(), m.delta().lastWriteMillis());
            notifyObserver(() -> ctx.observer.renewed(spec, mine, r));
        } catch (SanlockException e) {
            lastResult = e.code();
            recordFailure(e.error() == SanlockError.AIO_TIMEOUT);
            notifyObserver(() -> ctx.observer.failed(spec, mine, e.code()));
            ctx.log.logf("s%s:%d renewal error %d delta_length %d last_success %d", name(), spec.hostId(),
                    e.code(), ctx.clock.seconds() - lastAttempt, lastSuccess);
            if (DeltaLease.isCorrupt(e.code())) {
                corrupt = true;
            }
        }
    }

    /** Stops renewing and waits for a renewal in flight (it never waits on the clock, so it ends promptly). */
    private void stopRenewals() {
        stop = true;
        Future<?> f = nextRenewal;
        if (f != null) {
            f.cancel(false);
        }
        ExecutorService t = renewalThread;
        if (t == null) {
            return;
        }
        t.shutdown();
        if (renewing == Thread.currentThread()) {
            return;
        }
        try {
            while (!t.awaitTermination(1, TimeUnit.SECONDS)) {
                // a renewal is waiting for its I/O (bounded by io_timeout)
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one {@link RenewalObserver} call; its failure is logged, never passed on to the renewal or join. */
    private void notifyObserver(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            ctx.log.logf("s%s:%d renewal observer failed: %s", name(), spec.hostId(), e);
        }
    }

    /** Adds the record of a join or a successful renewal (none are kept with a history size of 0 or less). */
    private synchronized RenewalRecord recordSuccess(long ts, long readMs, long writeMs) {
        RenewalRecord r = new RenewalRecord(ts, readMs, writeMs, 0, 0);
        if (historySize > 0) {
            if (history.size() >= historySize) {
                history.removeFirst();
            }
            history.addLast(r);
        }
        return r;
    }

    /** Counts a failed renewal attempt on the last success (sanlock's next_timeouts / next_errors). */
    private synchronized void recordFailure(boolean timeout) {
        if (!history.isEmpty()) {
            history.addLast(history.removeLast().withFailure(timeout));
        }
    }

    synchronized List<RenewalRecord> history() {
        return List.copyOf(history);
    }

    // ------------------------------------------------------ events, requests

    private byte @Nullable [] bitmap(long now) {
        if (notify.isEmpty()) {
            return null;
        }
        byte[] bits = new byte[DiskFormat.HOST_BITMAP_LEN];
        for (Map.Entry<Long, Long> e : notify.entrySet()) {
            if (now - e.getValue() > mine.setBitmapSeconds()) {
                notify.remove(e.getKey(), e.getValue());
                continue;
            }
            int i = (int) (e.getKey() - 1);
            // sanlock 3.8.5 never sets its own host_id's bit (a set_event or request aimed at
            // this host leaves byte 256 of its own delta lease alone)
            if (i >= 0 && i < bits.length * 8 && e.getKey() != spec.hostId()) {
                bits[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        return bits;
    }

    /** My next renewals set {@code hostId}'s bit for 6N: it has a request to look at (3.8). */
    void askToLook(long hostId) {
        notify.put(hostId, ctx.clock.seconds());
    }

    /** What a renewal's scan found (host events, hosts asking me to look), handled off the renewal thread. */
    private void noticesLater(List<AreaScan.Notice> notices) {
        ctx.background(() -> notices(notices));
    }

    private void notices(List<AreaScan.Notice> notices) {
        long now = ctx.clock.seconds();
        boolean any = false;
        for (AreaScan.Notice n : notices) {
            if (n.event() != 0) {
                HostEvent he = new HostEvent(name(), n.hostId(), n.ownerGeneration(), n.generation(), n.event(),
                        n.data());
                ctx.log.logf("s%s:%d host event from %d gen %d event %d data %d", name(), spec.hostId(), n.hostId(),
                        n.generation(), n.event(), n.data());
                ctx.events.toListeners(l -> l.hostEvent(he));
            }
            if (joinedMember().table().takeRequestTurn(n.hostId(), now)) {
                ctx.log.logf("s%s:%d host %d asks us to look", name(), spec.hostId(), n.hostId());
                any = true;
            }
        }
        if (any) {
            resources.examine(this);
        }
    }

    /** set_event (see {@link LeaseEngine#setEvent(String, long, long, long, long, EventFlags)}). */
    void setEvent(long targetHostId, long generation, long event, long data, EventFlags flags) throws SanlockException {
        if (targetHostId < 1 || targetHostId > joinedMember().table().maxHosts()) {
            throw new SanlockException(SanlockError.EINVAL, "host_id " + targetHostId + " is out of range");
        }
        long now = ctx.clock.seconds();
        synchronized (this) {
            long[] cur = outEvent;
            long[] next = {generation, event, data};
            // Observed on the reference: CLEAR_HOSTID alone only clears the bit (never -16, the
            // event being published is left alone); CLEAR_EVENT ends the publication, after
            // which a different event is accepted.
            boolean setsEvent = !flags.clearEvent() && !flags.clearHostId();
            if (setsEvent && !flags.replace() && cur != null && now - outEventSet <= mine.setBitmapSeconds()
                    && !Arrays.equals(cur, next)) {
                throw new SanlockException(SanlockError.EBUSY, "a different event was set " + (now - outEventSet)
                        + " s ago");
            }
            if (flags.clearEvent()) {
                outEvent = null;
            } else if (setsEvent || flags.replace()) {
                outEvent = next;
                outEventSet = now;
            }
            if (flags.clearHostId()) {
                notify.remove(targetHostId);
            } else {
                notify.put(targetHostId, now);
            }
        }
        ctx.log.logf("s%s:%d set_event host_id %d gen %d event %d data %d%s%s%s", name(), spec.hostId(), targetHostId,
                generation, event, data, flags.replace() ? " replace" : "", flags.clearHostId() ? " clear_hostid" : "",
                flags.clearEvent() ? " clear_event" : "");
    }

    // ------------------------------------------------------------------ hosts

    /** get_hosts: -11 before the first scan. */
    List<HostInfo> hosts() throws SanlockException {
        HostTable table = joinedMember().table();
        if (!table.scanned()) {
            throw new SanlockException(SanlockError.EAGAIN, "lockspace " + name() + " has not been scanned yet");
        }
        long now = ctx.clock.seconds();
        List<HostInfo> out = new ArrayList<>();
        for (HostStatus hs : table.used()) {
            out.add(new HostInfo(hs.hostId(), hs.ownerGeneration(), hs.timestamp(), hs.ioTimeout(),
                    table.state(hs, now), hs.ownerName(), hs.lastCheck(), hs.lastLive()));
        }
        return out;
    }

    // ------------------------------------------------------------------ check

    /** One monitor step (the reference's check_our_lease, docs/algorithms.md 2.7). */
    void check() {
        if (ctx.halted) {
            return;
        }
        LockspaceState st = state;
        if (st != LockspaceState.JOINED && st != LockspaceState.FAILING && st != LockspaceState.LOST) {
            return;
        }
        long now = ctx.clock.seconds();
        long gap = now - lastSuccess;
        Timeouts t = mine;
        if (st != LockspaceState.LOST) {
            if (corrupt || gap >= t.idRenewalFailSeconds()) {
                synchronized (this) {
                    if (state != LockspaceState.JOINED && state != LockspaceState.FAILING) {
                        return;
                    }
                    state = LockspaceState.LOST;
                    if (member != null) {
                        member.leave(); // acquires waiting for an owner give up: they could not be granted
                    }
                }
                ctx.log.logf("s%s:%d check_our_lease failed %d%s", name(), spec.hostId(), gap,
                        corrupt ? " corrupt " + lastResult : "");
                List<ResourceLease> held = resources.drop(this, LossReason.LOCKSPACE_LOST);
                LockspaceEvent e = event(LockspaceState.LOST, held);
                ctx.events.toListeners(l -> l.lockspaceLost(e));
            } else if (gap >= t.idRenewalWarnSeconds()) {
                if (lastWarnLogged != now) {
                    lastWarnLogged = now;
                    ctx.log.logf("s%s:%d check_our_lease warning %d last_success %d", name(), spec.hostId(), gap,
                            lastSuccess);
                }
                if (st == LockspaceState.JOINED) {
                    state = LockspaceState.FAILING;
                    LockspaceEvent e = event(LockspaceState.FAILING);
                    ctx.events.toListeners(l -> l.lockspaceFailing(e));
                }
            } else if (st == LockspaceState.FAILING) {
                state = LockspaceState.JOINED;
                LockspaceEvent e = event(LockspaceState.JOINED);
                ctx.events.toListeners(l -> l.lockspaceRecovered(e));
            }
            return;
        }
        // LOST: kill deadline re-read from the latest success (a late success moves it, 2.7)
        if (!killFired && now >= lastSuccess + t.killEscalationSeconds()) {
            killFired = true;
            ctx.log.logf("s%s:%d kill deadline %d", name(), spec.hostId(), lastSuccess + t.killEscalationSeconds());
            LockspaceEvent e = event(LockspaceState.LOST);
            ctx.events.toListeners(l -> l.killDeadline(e));
        }
        if (!finishing && resources.leasesIn(this).isEmpty()) {
            finishing = true;
            ctx.log.logf("s%s:%d all leases released, leaving", name(), spec.hostId());
            ctx.background(this::finishRemoval);
        }
    }

    private LockspaceEvent event(LockspaceState st) {
        return event(st, resources.leasesIn(this));
    }

    private LockspaceEvent event(LockspaceState st, List<ResourceLease> leases) {
        return new LockspaceEvent(name(), spec.hostId(), generation(), st, lastSuccess,
                lastSuccess + mine.killEscalationSeconds(), lastResult, leases, ctx.clock.seconds());
    }

    // ---------------------------------------------------------------- removal

    /** Refuses a second add_lockspace of this name while this one exists, with the reference's code. */
    void refuseAnotherJoin(LockspaceSpec other) throws SanlockException {
        if (!spec.equals(other)) {
            throw new SanlockException(SanlockError.EINVAL, "lockspace " + other.name()
                    + " is already joined with another host_id or disk: " + spec);
        }
        switch (state) {
            case JOINING -> throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + other.name()
                    + " is being joined");
            case REMOVING, REMOVED -> throw new SanlockException(SanlockError.EAGAIN, "lockspace " + other.name()
                    + " is being removed");
            default -> throw new SanlockException(SanlockError.EEXIST, "lockspace " + other.name()
                    + " is already joined");
        }
    }

    /** See {@link LeaseEngine#beginRemoval}. */
    void beginRemoval(boolean unusedOnly) throws SanlockException {
        synchronized (this) {
            if (state == LockspaceState.REMOVING || state == LockspaceState.REMOVED) {
                throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + name() + " is being removed");
            }
            if (unusedOnly && !resources.leasesIn(this).isEmpty()) {
                throw new SanlockException(SanlockError.EBUSY, "lockspace " + name() + " has leases held");
            }
            state = LockspaceState.REMOVING;
            if (member != null) {
                member.leave();
            }
        }
        ctx.log.logf("s%s:%d rem_lockspace", name(), spec.hostId());
        resources.drop(this, LossReason.LOCKSPACE_REMOVED);
        resources.awaitAcquiresEnded(this);
    }

    /** See {@link LeaseEngine#completeRemoval}. */
    void completeRemoval() throws SanlockException {
        if (state != LockspaceState.REMOVING) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + name() + " is not being removed");
        }
        synchronized (this) {
            if (stop) {
                throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + name() + " is being removed");
            }
            stop = true;
        }
        finishRemoval();
    }

    /** Stops renewing, releases the host_id if the last renewal succeeded, and is gone. */
    private void finishRemoval() {
        stopRenewals();
        LockspaceMember m = member;
        if (m != null && !ctx.halted && state != LockspaceState.JOINING) {
            try {
                m.delta().release();
            } catch (SanlockException e) {
                ctx.log.logf("s%s:%d delta_release failed %d", name(), spec.hostId(), e.code());
            }
        }
        state = LockspaceState.REMOVED;
        unregister.run();
        if (!ctx.halted) {
            notifyObserver(() -> ctx.observer.removed(spec));
        }
        LockspaceEvent e = event(LockspaceState.REMOVED);
        ctx.events.toListeners(l -> l.lockspaceRemoved(e));
    }

    /** The engine halts: no renewal starts any more (the halt gate already refuses their I/O). */
    void halt() {
        stop = true;
        Future<?> f = nextRenewal;
        if (f != null) {
            f.cancel(false);
        }
        ExecutorService t = renewalThread;
        if (t != null) {
            t.shutdown();
        }
    }
}
