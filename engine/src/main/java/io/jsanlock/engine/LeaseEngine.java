package io.jsanlock.engine;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.RequestRecord;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.lease.BufferPool;
import io.jsanlock.lease.DeltaLease;
import io.jsanlock.lease.HostStatus;
import io.jsanlock.lease.HostTable;
import io.jsanlock.lease.LeaseStorage;
import io.jsanlock.lease.LockspaceMember;
import io.jsanlock.lease.PaxosLease;
import io.jsanlock.lease.Timeouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * An embeddable sanlock host: joins lockspaces (delta leases), renews them,
 * watches the other hosts, and acquires/releases resource leases (disk paxos),
 * byte- and timing-compatible with sanlock 3.8.5 hosts sharing the same storage.
 *
 * <h2>Design</h2>
 *
 * <p><b>Layers.</b> The protocol lives in module {@code lease}: {@code DeltaLease}
 * (join/renew/leave of one host_id), {@code HostTable} (liveness of other hosts,
 * judged only on the local monotonic clock), {@code PaxosLease} (ballots, commit,
 * release, shared mode, requests) and {@code Timeouts} (every duration derived
 * from io_timeout). Those classes are pure algorithm over two strategies, a
 * {@code LeaseStorage} and a {@code MonotonicClock}, so every step is testable
 * with a virtual clock and a fault-injecting store. This class is the policy
 * around them: threads, schedules, local conflicts, fencing notifications.
 *
 * <p><b>Threads.</b> One renewal thread per lockspace (the reference's lockspace
 * thread): it renews every 2N+0.5 s, and each renewal's read of the whole
 * lockspace area also feeds the host table (2.6). One monitor thread per engine
 * (the reference's main loop), ticking every 200 ms, compares {@code now -
 * lastSuccess} with 6N/8N/8N+G and moves lockspaces to FAILING, LOST and the
 * kill deadline — never later than the reference, which checks once a second.
 * Acquire and release run on the caller's thread. Callbacks go through one
 * event thread, so listeners see events in order and cannot stall renewals —
 * except the one {@link RenewalObserver}, called synchronously on the joining and
 * renewal threads, because the watchdog it stands for must be armed before a join
 * is reported and re-armed with each renewal, as the reference's lockspace thread does.
 *
 * <p><b>No global lock.</b> Lockspaces and resources live in concurrent maps;
 * each resource has its own monitor, held only for bookkeeping, never across
 * disk I/O. Two acquires of different resources share nothing but the buffer
 * pool (lock-free). A second local acquire of a resource that is being acquired
 * gets -16, of one being released -11, of one held -17 (shared+shared joins).
 *
 * <p><b>Safety rules kept here.</b> (1) A lost lockspace drops its leases with
 * no I/O, and its host_id is released only after every holder released — a
 * freed host_id lets other hosts take our leases at once, so it must not be
 * freed while a holder may still run. (2) The delta release is written only if
 * the last renewal succeeded (never clobber a slot someone else took). (3) A
 * release that timed out is retried in the background with the reference's
 * spacing; meanwhile the resource is busy (-11) locally. (4) {@link #halt()}
 * stops every thread without further I/O: a crashed host, for tests.
 *
 * <p><b>No global state.</b> Everything hangs off the instance (clock, storage
 * opener, log ring, random source), so several engines in one JVM are several
 * hosts, e.g. over one in-memory "disk".
 *
 * <p><b>Logging.</b> One line per protocol step in the reference's wording
 * ({@code delta_acquire}, {@code ballot N phase1 write mbal M}, {@code
 * paxos_acquire owner ... dead A-B>C}) into a bounded {@link LogRing}
 * ({@link #logDump()}) and {@link System.Logger} at DEBUG.
 */
public final class LeaseEngine implements AutoCloseable {
    private final String hostName;
    private final MonotonicClock clock;
    private final StorageOpener opener;
    private final int watchdogSeconds;
    private final int killGraceSeconds;
    private final RandomGenerator random;
    private final LogRing log;
    private final RenewalObserver observer;
    private final int renewalHistorySize;
    private final BufferPool pool = new BufferPool(4);
    private final List<LockspaceListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, LockspaceRuntime> lockspaces = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ResourceKey, HeldResource> resources = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LeaseStorage> storages = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ExecutorService events;
    private final ExecutorService workers;
    private final Thread monitor;
    private volatile boolean halted;
    private volatile boolean closed;

    private LeaseEngine(Builder b) {
        this.hostName = b.hostName;
        this.clock = b.clock;
        this.opener = b.opener;
        this.watchdogSeconds = b.watchdogSeconds;
        this.killGraceSeconds = b.killGraceSeconds;
        this.random = b.seed == null ? new Random() : new Random(b.seed);
        this.log = b.log != null ? b.log : new LogRing(clock, b.logCapacity, "io.jsanlock.engine");
        this.observer = b.observer;
        this.renewalHistorySize = b.renewalHistorySize;
        if (b.listener != null) {
            listeners.add(b.listener);
        }
        String tag = "jsanlock-" + hostName;
        this.events = Executors.newSingleThreadExecutor(r -> daemon(r, tag + "-events"));
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, tag + "-worker"));
        this.monitor = daemon(this::monitorLoop, tag + "-monitor");
        monitor.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Renewal history records kept per lockspace unless set otherwise (sanlock's -H default). */
    public static final int DEFAULT_RENEWAL_HISTORY = 180;

    public static Builder builder(String hostName) {
        return new Builder(hostName);
    }

    /** Engine configuration. */
    public static final class Builder {
        private final String hostName;
        private MonotonicClock clock = MonotonicClock.SYSTEM;
        private StorageOpener opener = StorageOpener.DIRECT;
        private int watchdogSeconds = Timeouts.WATCHDOG_FIRE_TIMEOUT;
        private int killGraceSeconds = Timeouts.DEFAULT_KILL_GRACE;
        private Long seed;
        private LogRing log;
        private int logCapacity = 10_000;
        private LockspaceListener listener;
        private RenewalObserver observer = RenewalObserver.NONE;
        private int renewalHistorySize = DEFAULT_RENEWAL_HISTORY;

        private Builder(String hostName) {
            this.hostName = hostName;
        }

        public Builder clock(MonotonicClock c) {
            this.clock = c;
            return this;
        }

        public Builder storage(StorageOpener o) {
            this.opener = o;
            return this;
        }

        /**
         * W, the watchdog fire timeout other hosts assume (60 in sanlock 3.8.5). All hosts
         * of a lockspace must agree on it; only change it in tests of jsanlock-only clusters.
         */
        public Builder watchdogSeconds(int w) {
            this.watchdogSeconds = w;
            return this;
        }

        /** G, the kill grace (daemon -g, 0..60, default 40). */
        public Builder killGraceSeconds(int g) {
            this.killGraceSeconds = g;
            return this;
        }

        /** Seed of the ballot retry delays (reproducible tests). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder log(LogRing ring) {
            this.log = ring;
            return this;
        }

        public Builder logCapacity(int lines) {
            this.logCapacity = lines;
            return this;
        }

        public Builder listener(LockspaceListener l) {
            this.listener = l;
            return this;
        }

        /** Follows every join, renewal and removal, on the threads doing them (the daemon's watchdog). */
        public Builder renewalObserver(RenewalObserver o) {
            this.observer = o;
            return this;
        }

        /** Records kept per lockspace by {@link #renewals} (daemon -H, default 180; 0 or less keeps none). */
        public Builder renewalHistorySize(int records) {
            this.renewalHistorySize = records;
            return this;
        }

        public LeaseEngine build() throws SanlockException {
            if (hostName == null || hostName.isEmpty() || hostName.length() > DiskFormat.NAME_LEN - 1) {
                throw new SanlockException(SanlockError.EINVAL, "host name must be 1..47 bytes, got '" + hostName + "'");
            }
            if (killGraceSeconds < 0 || killGraceSeconds > 60) {
                throw new SanlockException(SanlockError.EINVAL, "kill grace must be 0..60 s, got " + killGraceSeconds);
            }
            return new LeaseEngine(this);
        }
    }

    // ----------------------------------------------------------------- basics

    public String hostName() {
        return hostName;
    }

    public MonotonicClock clock() {
        return clock;
    }

    public LogRing logRing() {
        return log;
    }

    /** The log ring's lines, oldest first, one per line (log_dump). */
    public String logDump() {
        return log.dump();
    }

    public void addListener(LockspaceListener l) {
        listeners.add(l);
    }

    public void removeListener(LockspaceListener l) {
        listeners.remove(l);
    }

    private void checkOpen() throws SanlockException {
        if (halted || closed) {
            throw new SanlockException(SanlockError.ERROR, "lease engine of " + hostName + " is "
                    + (halted ? "halted" : "closed"));
        }
    }

    private Timeouts timeouts(int ioTimeout) throws SanlockException {
        int n = ioTimeout == 0 ? Timeouts.DEFAULT_IO_TIMEOUT : ioTimeout;
        if (n < 1 || n > 255) {
            throw new SanlockException(SanlockError.EINVAL, "io_timeout must be 0..255 seconds, got " + ioTimeout);
        }
        return new Timeouts(n, watchdogSeconds, killGraceSeconds);
    }

    private LeaseStorage storage(String path) throws SanlockException {
        LeaseStorage s = storages.get(path);
        if (s != null) {
            return s;
        }
        LeaseStorage opened = haltGate(opener.open(path));
        LeaseStorage prev = storages.putIfAbsent(path, opened);
        if (prev != null) {
            opened.close();
            return prev;
        }
        return opened;
    }

    /**
     * Every I/O of this engine passes here: once halted, none is issued any more
     * (an acquire or renewal in flight fails at its next I/O), so a halted engine
     * behaves like a host that died, not like one that froze and resumed.
     */
    private LeaseStorage haltGate(LeaseStorage s) {
        return new LeaseStorage() {
            @Override
            public void read(long offset, java.nio.ByteBuffer dst, long timeoutNanos) throws SanlockException {
                if (halted) {
                    throw new SanlockException(SanlockError.ERROR, "engine halted");
                }
                s.read(offset, dst, timeoutNanos);
            }

            @Override
            public void write(long offset, java.nio.ByteBuffer src, long timeoutNanos) throws SanlockException {
                if (halted) {
                    throw new SanlockException(SanlockError.ERROR, "engine halted");
                }
                s.write(offset, src, timeoutNanos);
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    // ------------------------------------------------------------- lockspaces

    /**
     * Joins a lockspace (add_lockspace): acquires host_id {@code spec.hostId()} and
     * starts renewing. Blocks for the join's delays (about 2·io_timeout stored in
     * the slot; 8N+W more if another host name holds it).
     *
     * @param ioTimeout my io_timeout for this lockspace (0 = 10)
     * @throws SanlockException -17 already joined, -115 being joined, -11 being removed,
     *         -22 conflicting or bad spec, -262 host_id busy, -201 aborted, -2xx storage/format errors
     */
    public LockspaceInfo addLockspace(LockspaceSpec spec, int ioTimeout) throws SanlockException {
        LockspaceRuntime rt = register(spec, ioTimeout);
        join(rt);
        return rt.info();
    }

    /** Same, returning at once; the future completes when joined. {@link #lockspaceState} says JOINING meanwhile. */
    public CompletableFuture<LockspaceInfo> addLockspaceAsync(LockspaceSpec spec, int ioTimeout) throws SanlockException {
        LockspaceRuntime rt = register(spec, ioTimeout);
        CompletableFuture<LockspaceInfo> f = new CompletableFuture<>();
        workers.execute(() -> {
            try {
                join(rt);
                f.complete(rt.info());
            } catch (SanlockException e) {
                f.completeExceptionally(e);
            } catch (RuntimeException e) {
                f.completeExceptionally(new SanlockException(SanlockError.ERROR, String.valueOf(e), e));
            }
        });
        return f;
    }

    private LockspaceRuntime register(LockspaceSpec spec, int ioTimeout) throws SanlockException {
        observer.beforeJoin(spec);
        checkOpen();
        if (spec.name().isEmpty() || spec.hostId() < 1 || spec.path().isEmpty()) {
            throw new SanlockException(SanlockError.EINVAL, "lockspace needs a name, a host_id >= 1 and a path: " + spec);
        }
        Timeouts mine = timeouts(ioTimeout);
        synchronized (lockspaces) {
            LockspaceRuntime old = lockspaces.get(spec.name());
            if (old != null) {
                if (!old.spec.equals(spec)) {
                    throw new SanlockException(SanlockError.EINVAL, "lockspace " + spec.name()
                            + " is already joined with another host_id or disk: " + old.spec);
                }
                switch (old.state) {
                    case JOINING -> throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + spec.name()
                            + " is being joined");
                    case REMOVING, REMOVED -> throw new SanlockException(SanlockError.EAGAIN, "lockspace " + spec.name()
                            + " is being removed");
                    default -> throw new SanlockException(SanlockError.EEXIST, "lockspace " + spec.name()
                            + " is already joined");
                }
            }
            for (LockspaceRuntime o : lockspaces.values()) {
                if (o.spec.path().equals(spec.path()) && o.spec.offset() == spec.offset()) {
                    throw new SanlockException(SanlockError.EINVAL, "disk " + spec.path() + ":" + spec.offset()
                            + " already holds lockspace " + o.name());
                }
            }
            LockspaceRuntime rt = new LockspaceRuntime(spec, mine, storage(spec.path()), renewalHistorySize);
            lockspaces.put(spec.name(), rt);
            return rt;
        }
    }

    private void join(LockspaceRuntime rt) throws SanlockException {
        LockspaceSpec spec = rt.spec;
        boolean observed = false;
        try {
            Geometry g = DeltaLease.readGeometry(rt.disk, spec.offset(), spec.name(), rt.mine);
            if (spec.hostId() > g.maxHosts()) {
                throw new SanlockException(SanlockError.ADDLS_INVALID_HOSTID, "host_id " + spec.hostId()
                        + " is above max_hosts " + g.maxHosts() + " of " + spec.name());
            }
            DeltaLease d = new DeltaLease(rt.disk, spec.offset(), g, spec.name(), spec.hostId(), hostName, rt.mine,
                    clock, log);
            LockspaceMember m = new LockspaceMember(d, clock);
            rt.member = m;
            d.join(() -> rt.stop || halted);
            rt.lastSuccess = d.lastSuccess();
            rt.lastAttempt = d.lastSuccess();
            rt.lastResult = 0;
            rt.recordSuccess(d.lastSuccess(), 0, 0); // the reference's first record: the join, with 0 ms
            // A join can outlast our own renewal interval, even our 8N failure threshold: its short
            // delay uses the io_timeout stored in the slot (2*Dx: 20 s for a slot initialised with the
            // default 10) while our thresholds use our own N (8 s at N=1). The reference renews at once
            // after such a join. We do that renewal here, before the lockspace becomes JOINED and visible
            // to the monitor, so the join's old timestamp is never judged as a renewal failure. It is the
            // same read-verify-write the renewal thread would issue a moment later: no I/O is skipped.
            // An ordinary join (2N delay on a slot holding our own N) is left to the renewal thread, as
            // before: only a join that reached within a second of the 6N warning renews here.
            if (clock.seconds() - rt.lastSuccess >= rt.mine.idRenewalWarnSeconds() - 1 && !rt.stop && !halted) {
                rt.lastAttempt = clock.seconds();
                long ts = m.renew(null, null, notices -> workers.execute(() -> notices(rt, notices)));
                rt.lastSuccess = ts;
                rt.recordSuccess(ts, d.lastReadMillis(), d.lastWriteMillis());
                log.logf("s%s:%d renewed at once after a join longer than %d s", spec.name(), spec.hostId(),
                        rt.mine.idRenewalSeconds());
            }
            // Before the lockspace is JOINED (visible to acquires) and before add_lockspace returns:
            // the reference arms its watchdog here, so no lease is granted on a host that could
            // not be fenced.
            observed = true;
            notifyObserver(rt, () -> observer.joined(spec, rt.mine, rt.lastSuccess));
            synchronized (rt) {
                if (rt.stop || halted) {
                    throw new SanlockException(SanlockError.EPERM, "lockspace " + spec.name()
                            + " was removed while joining");
                }
                rt.state = LockspaceState.JOINED;
            }
            log.logf("s%s:%d add_lockspace done generation %d", spec.name(), spec.hostId(), d.generation());
            Thread t = daemon(() -> renewLoop(rt), "jsanlock-" + hostName + "-renew-" + spec.name());
            rt.renewer = t;
            t.start();
        } catch (SanlockException e) {
            log.logf("s%s:%d add_lockspace fail %d", spec.name(), spec.hostId(), e.code());
            rt.state = LockspaceState.REMOVED;
            lockspaces.remove(spec.name(), rt);
            if (observed && !halted) {
                notifyObserver(rt, () -> observer.removed(spec));
            }
            throw e;
        }
    }

    /** The state of a lockspace, or empty if it is unknown here (inq_lockspace: -2). */
    public Optional<LockspaceState> lockspaceState(String name) {
        LockspaceRuntime rt = lockspaces.get(name);
        return rt == null ? Optional.empty() : Optional.of(rt.state);
    }

    public Optional<LockspaceInfo> lockspace(String name) {
        LockspaceRuntime rt = lockspaces.get(name);
        return rt == null ? Optional.empty() : Optional.of(rt.info());
    }

    /**
     * The sector/align sizes of a lockspace's delta lease area, as read at the join; empty
     * while the join has not read it yet or for an unknown name (status -D prints them).
     */
    public Optional<Geometry> lockspaceGeometry(String name) {
        LockspaceRuntime rt = lockspaces.get(name);
        LockspaceMember m = rt == null ? null : rt.member;
        return m == null ? Optional.empty() : Optional.of(m.delta().geometry());
    }

    public List<LockspaceInfo> lockspaces() {
        List<LockspaceInfo> out = new ArrayList<>();
        for (LockspaceRuntime rt : lockspaces.values()) {
            out.add(rt.info());
        }
        return out;
    }

    /**
     * Leaves a lockspace (rem_lockspace): holders of its leases are told
     * ({@link LossReason#LOCKSPACE_REMOVED}) and the leases are abandoned on disk
     * without release, as the reference does; then renewals stop and the host_id
     * is released (timestamp 0) if the last renewal succeeded. The caller must
     * have stopped every holder first: releasing the host_id lets other hosts
     * take the abandoned leases at once.
     *
     * @throws SanlockException -2 not joined, -115 already being removed, -16 when
     *         {@code unusedOnly} and a lease is held
     */
    public void removeLockspace(String name, boolean unusedOnly) throws SanlockException {
        beginRemoval(name, unusedOnly);
        completeRemoval(name);
    }

    /**
     * First half of {@link #removeLockspace}: from its return on, no lease of the
     * lockspace is granted — acquires still balloting fail with -28 (an owner wait gives
     * up at its next poll) and are waited for — and the held leases are dropped (holders
     * told {@link LossReason#LOCKSPACE_REMOVED}, no I/O). Renewals go on, so the host_id
     * stays ours. A caller that runs processes (the daemon) stops the holders it knows of
     * between the two halves: after this returns, the set of holders can only shrink.
     *
     * @throws SanlockException -2 not joined, -115 already being removed, -16 when
     *         {@code unusedOnly} and a lease is held or being acquired
     */
    public void beginRemoval(String name, boolean unusedOnly) throws SanlockException {
        LockspaceRuntime rt = lockspaces.get(name);
        if (rt == null) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + name + " is not joined");
        }
        synchronized (rt) {
            if (rt.state == LockspaceState.REMOVING || rt.state == LockspaceState.REMOVED) {
                throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + name + " is being removed");
            }
            if (unusedOnly && !leasesIn(rt).isEmpty()) {
                throw new SanlockException(SanlockError.EBUSY, "lockspace " + name + " has leases held");
            }
            rt.state = LockspaceState.REMOVING;
            if (rt.member != null) {
                rt.member.leave();
            }
        }
        log.logf("s%s:%d rem_lockspace", name, rt.spec.hostId());
        dropLeases(rt, LossReason.LOCKSPACE_REMOVED);
        awaitAcquiresEnded(rt);
    }

    /**
     * Second half of {@link #removeLockspace}, after {@link #beginRemoval}: stops
     * renewing and releases the host_id (if the last renewal succeeded). Leases still
     * held are abandoned on disk; the caller must have stopped their holders.
     */
    public void completeRemoval(String name) throws SanlockException {
        LockspaceRuntime rt = lockspaces.get(name);
        if (rt == null || rt.state != LockspaceState.REMOVING) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + name + " is not being removed");
        }
        synchronized (rt) {
            if (rt.stop) {
                throw new SanlockException(SanlockError.EINPROGRESS, "lockspace " + name + " is being removed");
            }
            rt.stop = true;
        }
        finishRemoval(rt);
    }

    /**
     * Waits until no acquire in {@code rt} is balloting. Each ends promptly once the
     * lockspace is leaving (a ballot's I/O is bounded by io_timeout; owner waits poll
     * {@link io.jsanlock.lease.OwnerView#leaving()} every second) and then fails.
     */
    private void awaitAcquiresEnded(LockspaceRuntime rt) {
        while (!halted) {
            boolean busy = false;
            for (HeldResource r : resources.values()) {
                if (r.ls == rt) {
                    synchronized (r) {
                        busy |= r.phase == HeldResource.Phase.ACQUIRING;
                    }
                }
            }
            if (!busy) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
    }

    private void finishRemoval(LockspaceRuntime rt) {
        rt.stop = true;
        Thread t = rt.renewer;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LockspaceMember m = rt.member;
        if (m != null && !halted && rt.state != LockspaceState.JOINING) {
            try {
                m.delta().release();
            } catch (SanlockException e) {
                log.logf("s%s:%d delta_release failed %d", rt.name(), rt.spec.hostId(), e.code());
            }
        }
        rt.state = LockspaceState.REMOVED;
        lockspaces.remove(rt.name(), rt);
        if (!halted) {
            notifyObserver(rt, () -> observer.removed(rt.spec));
        }
        fire(rt, LockspaceState.REMOVED, l -> l.lockspaceRemoved(event(rt, LockspaceState.REMOVED)));
    }

    // ---------------------------------------------------------------- renewal

    private void renewLoop(LockspaceRuntime rt) {
        LockspaceMember m = rt.member;
        Timeouts t = rt.mine;
        try {
            while (!rt.stop && !halted) {
                long now = clock.seconds();
                if (now - rt.lastSuccess < t.idRenewalSeconds()) {
                    // the reference sleeps 1 s here; 100 ms steps only make removal prompter
                    clock.sleepNanos(100_000_000L);
                    continue;
                }
                clock.sleepNanos(500_000_000L);
                if (rt.stop || halted) {
                    break;
                }
                long nowS = clock.seconds();
                byte[] bitmap = bitmap(rt, nowS);
                long[] ev = rt.outEvent;
                synchronized (rt) { // not to drop an event set_event stores meanwhile
                    if (ev != null && rt.outEvent == ev && nowS - rt.outEventSet > rt.mine.setBitmapSeconds()) {
                        rt.outEvent = null; // published for set_bitmap_seconds, then the fields go back to 0
                        ev = null;
                    }
                }
                rt.lastAttempt = nowS;
                try {
                    long ts = m.renew(bitmap, ev, notices -> workers.execute(() -> notices(rt, notices)));
                    rt.lastSuccess = ts;
                    rt.lastResult = 0;
                    RenewalRecord r = rt.recordSuccess(ts, m.delta().lastReadMillis(), m.delta().lastWriteMillis());
                    notifyObserver(rt, () -> observer.renewed(rt.spec, t, r));
                } catch (SanlockException e) {
                    rt.lastResult = e.code();
                    rt.recordFailure(e.code() == SanlockError.AIO_TIMEOUT.code());
                    notifyObserver(rt, () -> observer.failed(rt.spec, t, e.code()));
                    log.logf("s%s:%d renewal error %d delta_length %d last_success %d", rt.name(), rt.spec.hostId(),
                            e.code(), clock.seconds() - rt.lastAttempt, rt.lastSuccess);
                    if (DeltaLease.isCorrupt(e.code())) {
                        rt.corrupt = true;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one {@link RenewalObserver} call; its failure is logged, never passed on to the renewal or join. */
    private void notifyObserver(LockspaceRuntime rt, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.logf("s%s:%d renewal observer failed: %s", rt.name(), rt.spec.hostId(), e);
        }
    }

    private byte[] bitmap(LockspaceRuntime rt, long now) {
        if (rt.notify.isEmpty()) {
            return null;
        }
        byte[] bits = new byte[DiskFormat.HOST_BITMAP_LEN];
        for (Map.Entry<Long, Long> e : rt.notify.entrySet()) {
            if (now - e.getValue() > rt.mine.setBitmapSeconds()) {
                rt.notify.remove(e.getKey(), e.getValue());
                continue;
            }
            int i = (int) (e.getKey() - 1);
            // sanlock 3.8.5 never sets its own host_id's bit (a set_event or request aimed at
            // this host leaves byte 256 of its own delta lease alone)
            if (i >= 0 && i < bits.length * 8 && e.getKey() != rt.spec.hostId()) {
                bits[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        return bits;
    }

    private void notices(LockspaceRuntime rt, List<io.jsanlock.lease.AreaScan.Notice> notices) {
        long now = clock.seconds();
        boolean any = false;
        for (io.jsanlock.lease.AreaScan.Notice n : notices) {
            if (n.event() != 0) {
                HostEvent he = new HostEvent(rt.name(), n.hostId(), n.ownerGeneration(), n.generation(), n.event(),
                        n.data());
                log.logf("s%s:%d host event from %d gen %d event %d data %d", rt.name(), rt.spec.hostId(), n.hostId(),
                        n.generation(), n.event(), n.data());
                for (LockspaceListener l : listeners) {
                    events.execute(() -> l.hostEvent(he));
                }
            }
            if (rt.member.table().takeRequestTurn(n.hostId(), now)) {
                log.logf("s%s:%d host %d asks us to look", rt.name(), rt.spec.hostId(), n.hostId());
                any = true;
            }
        }
        if (any) {
            examine(rt);
        }
    }

    /** Reads the request record of every lease held in the lockspace and tells holders of newer requests (3.8). */
    private void examine(LockspaceRuntime rt) {
        for (HeldResource r : resources.values()) {
            if (r.ls != rt) {
                continue;
            }
            List<HeldResource.Handle> hs;
            long lver;
            synchronized (r) {
                if (r.phase != HeldResource.Phase.HELD || r.lost) {
                    continue;
                }
                hs = new ArrayList<>(r.handles.values());
                lver = r.token.lver();
            }
            try {
                PaxosLease p = new PaxosLease(storage(r.path), r.offset, rt.member.delta().geometry(), rt.name(),
                        r.key.resource(), clock, log, random, pool);
                RequestRecord req = p.readRequest(rt.mine);
                if (req.forceMode() != 0 && req.lver() > lver) {
                    log.logf("r%s:%s request lver %d force %d held lver %d", rt.name(), r.key.resource(), req.lver(),
                            req.forceMode(), lver);
                    for (HeldResource.Handle h : hs) {
                        events.execute(() -> h.holder().releaseRequested(h.lease(), req.lver(), req.forceMode()));
                    }
                }
            } catch (SanlockException e) {
                log.logf("r%s:%s examine error %d", rt.name(), r.key.resource(), e.code());
            }
        }
    }

    /**
     * Sends a host event (set_event): my next renewals carry (generation, event, data)
     * in my delta lease and set {@code targetHostId}'s bit for set_bitmap_seconds (6N).
     *
     * @throws SanlockException -28 not joined, -22 bad host id, -16 a different event
     *         was set less than 6N ago
     */
    public void setEvent(String lockspace, long targetHostId, long generation, long event, long data)
            throws SanlockException {
        setEvent(lockspace, targetHostId, generation, event, data, EventFlags.NONE);
    }

    /**
     * set_event with the reference's flags (wire.md 4.13): {@code replace} skips the -16
     * check against a different event still being published; {@code clearHostId} clears
     * the target's bit instead of setting it and leaves the event alone (unless with
     * {@code replace}); {@code clearEvent} stops publishing the event fields (they go back
     * to 0 with the next renewal) instead of setting them.
     */
    public void setEvent(String lockspace, long targetHostId, long generation, long event, long data, EventFlags flags)
            throws SanlockException {
        LockspaceRuntime rt = joined(lockspace);
        if (targetHostId < 1 || targetHostId > rt.member.table().maxHosts()) {
            throw new SanlockException(SanlockError.EINVAL, "host_id " + targetHostId + " is out of range");
        }
        long now = clock.seconds();
        synchronized (rt) {
            long[] cur = rt.outEvent;
            long[] next = {generation, event, data};
            // Observed on the reference: CLEAR_HOSTID alone only clears the bit (never -16, the
            // event being published is left alone); CLEAR_EVENT ends the publication, after
            // which a different event is accepted.
            boolean setsEvent = !flags.clearEvent() && !flags.clearHostId();
            if (setsEvent && !flags.replace() && cur != null && now - rt.outEventSet <= rt.mine.setBitmapSeconds()
                    && !java.util.Arrays.equals(cur, next)) {
                throw new SanlockException(SanlockError.EBUSY, "a different event was set " + (now - rt.outEventSet)
                        + " s ago");
            }
            if (flags.clearEvent()) {
                rt.outEvent = null;
            } else if (setsEvent || flags.replace()) {
                rt.outEvent = next;
                rt.outEventSet = now;
            }
            if (flags.clearHostId()) {
                rt.notify.remove(targetHostId);
            } else {
                rt.notify.put(targetHostId, now);
            }
        }
        log.logf("s%s:%d set_event host_id %d gen %d event %d data %d%s%s%s", rt.name(), rt.spec.hostId(), targetHostId,
                generation, event, data, flags.replace() ? " replace" : "", flags.clearHostId() ? " clear_hostid" : "",
                flags.clearEvent() ? " clear_event" : "");
    }

    /** Runs the request examination now for every lease held in a lockspace (client examine). */
    public void examine(String lockspace) throws SanlockException {
        LockspaceRuntime rt = joined(lockspace);
        examine(rt);
    }

    // ---------------------------------------------------------------- monitor

    private void monitorLoop() {
        while (!halted && !closed) {
            try {
                clock.sleepNanos(200_000_000L);
            } catch (InterruptedException e) {
                return;
            }
            for (LockspaceRuntime rt : lockspaces.values()) {
                try {
                    check(rt);
                } catch (RuntimeException e) {
                    log.logf("s%s monitor error %s", rt.name(), e);
                }
            }
        }
    }

    private void check(LockspaceRuntime rt) {
        if (halted) {
            return;
        }
        LockspaceState st = rt.state;
        if (st != LockspaceState.JOINED && st != LockspaceState.FAILING && st != LockspaceState.LOST) {
            return;
        }
        long now = clock.seconds();
        long gap = now - rt.lastSuccess;
        Timeouts t = rt.mine;
        if (st != LockspaceState.LOST) {
            if (rt.corrupt || gap >= t.idRenewalFailSeconds()) {
                synchronized (rt) {
                    if (rt.state != LockspaceState.JOINED && rt.state != LockspaceState.FAILING) {
                        return;
                    }
                    rt.state = LockspaceState.LOST;
                    if (rt.member != null) {
                        rt.member.leave(); // acquires waiting for an owner give up: they could not be granted
                    }
                }
                log.logf("s%s:%d check_our_lease failed %d%s", rt.name(), rt.spec.hostId(), gap,
                        rt.corrupt ? " corrupt " + rt.lastResult : "");
                List<ResourceLease> held = dropLeases(rt, LossReason.LOCKSPACE_LOST);
                LockspaceEvent e = event(rt, LockspaceState.LOST, held);
                fire(rt, LockspaceState.LOST, l -> l.lockspaceLost(e));
            } else if (gap >= t.idRenewalWarnSeconds()) {
                if (rt.lastWarnLogged != now) {
                    rt.lastWarnLogged = now;
                    log.logf("s%s:%d check_our_lease warning %d last_success %d", rt.name(), rt.spec.hostId(), gap,
                            rt.lastSuccess);
                }
                if (st == LockspaceState.JOINED) {
                    rt.state = LockspaceState.FAILING;
                    LockspaceEvent e = event(rt, LockspaceState.FAILING);
                    fire(rt, LockspaceState.FAILING, l -> l.lockspaceFailing(e));
                }
            } else if (st == LockspaceState.FAILING) {
                rt.state = LockspaceState.JOINED;
                LockspaceEvent e = event(rt, LockspaceState.JOINED);
                fire(rt, LockspaceState.JOINED, l -> l.lockspaceRecovered(e));
            }
            return;
        }
        // LOST: kill deadline re-read from the latest success (a late success moves it, 2.7)
        if (!rt.killFired && now >= rt.lastSuccess + t.killEscalationSeconds()) {
            rt.killFired = true;
            log.logf("s%s:%d kill deadline %d", rt.name(), rt.spec.hostId(), rt.lastSuccess + t.killEscalationSeconds());
            LockspaceEvent e = event(rt, LockspaceState.LOST);
            fire(rt, LockspaceState.LOST, l -> l.killDeadline(e));
        }
        if (!rt.finishing && leasesIn(rt).isEmpty()) {
            rt.finishing = true;
            log.logf("s%s:%d all leases released, leaving", rt.name(), rt.spec.hostId());
            workers.execute(() -> finishRemoval(rt));
        }
    }

    private LockspaceEvent event(LockspaceRuntime rt, LockspaceState st) {
        return event(rt, st, leasesIn(rt));
    }

    private LockspaceEvent event(LockspaceRuntime rt, LockspaceState st, List<ResourceLease> leases) {
        return new LockspaceEvent(rt.name(), rt.spec.hostId(), rt.generation(), st, rt.lastSuccess,
                rt.lastSuccess + rt.mine.killEscalationSeconds(), rt.lastResult, leases, clock.seconds());
    }

    private void fire(LockspaceRuntime rt, LockspaceState st, java.util.function.Consumer<LockspaceListener> call) {
        for (LockspaceListener l : listeners) {
            events.execute(() -> call.accept(l));
        }
    }

    /** Marks every lease of the lockspace lost (no I/O) and tells its holders; returns them. */
    private List<ResourceLease> dropLeases(LockspaceRuntime rt, LossReason why) {
        List<ResourceLease> out = new ArrayList<>();
        for (HeldResource r : resources.values()) {
            if (r.ls != rt) {
                continue;
            }
            List<HeldResource.Handle> hs;
            synchronized (r) {
                r.lost = true;
                hs = new ArrayList<>(r.handles.values());
            }
            for (HeldResource.Handle h : hs) {
                out.add(h.lease());
                events.execute(() -> h.holder().leaseLost(h.lease(), why));
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

    private List<ResourceLease> leasesIn(LockspaceRuntime rt) {
        List<ResourceLease> out = new ArrayList<>();
        for (HeldResource r : resources.values()) {
            if (r.ls == rt) {
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
        out.removeIf(java.util.Objects::isNull);
        return out;
    }

    // -------------------------------------------------------------- resources

    private LockspaceRuntime joined(String name) throws SanlockException {
        LockspaceRuntime rt = lockspaces.get(name);
        if (rt == null || (rt.state != LockspaceState.JOINED && rt.state != LockspaceState.FAILING)) {
            throw new SanlockException(SanlockError.ENOSPC, "lockspace " + name + " is not joined"
                    + (rt == null ? "" : " (" + rt.state + ")"));
        }
        return rt;
    }

    private static ResourceSpec.Disk oneDisk(ResourceSpec res) throws SanlockException {
        if (res.disks().isEmpty() || res.disks().size() > ResourceSpec.MAX_DISKS) {
            throw new SanlockException(SanlockError.ERANGE, "resource " + res.name() + " needs 1 to 4 disks");
        }
        if (res.disks().size() > 1) {
            throw new SanlockException(SanlockError.EOPNOTSUPP, "resource " + res.name()
                    + ": jsanlock supports one disk per resource");
        }
        return res.disk();
    }

    /**
     * Acquires a resource lease (3.2–3.7). The mode is SHARED if either
     * {@code res.shared()} or the options say so; a required lver comes from the
     * options or {@code res.lver()} when {@code res.hasLver()}.
     *
     * @throws SanlockException -28 lockspace not joined/lost, -17 held here, -16 being acquired
     *         here, -11 being released here or live shared holders, -240, -243, -244, -245,
     *         -246, -247, storage and format codes
     */
    public ResourceLease acquire(ResourceSpec res, AcquireOptions opt) throws SanlockException {
        checkOpen();
        LockspaceRuntime rt = joined(res.lockspaceName());
        ResourceSpec.Disk disk = oneDisk(res);
        LeaseMode mode = res.shared() || opt.mode() == LeaseMode.SHARED ? LeaseMode.SHARED : LeaseMode.EXCLUSIVE;
        long lver = opt.requiredLver() != 0 ? opt.requiredLver() : (res.hasLver() ? res.lver() : 0);
        ResourceKey key = new ResourceKey(res.lockspaceName(), res.name());
        HeldResource fresh = new HeldResource(key, rt, disk.path(), disk.offset());
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
            LockspaceMember m = rt.member;
            PaxosLease p = new PaxosLease(storage(disk.path()), disk.offset(), m.delta().geometry(), rt.name(),
                    res.name(), clock, log, random, pool);
            PaxosLease.Token tok = new PaxosLease.Token(rt.spec.hostId(), m.delta().generation(), rt.mine);
            p.acquire(tok, new PaxosLease.Options(mode == LeaseMode.SHARED, lver, opt.ownerNoWait(), opt.numHosts()), m);
            // The grant and the lockspace's state are decided together, under the lockspace's
            // monitor (lock order rt -> resource, as removeLockspace): a lockspace that was lost
            // or started leaving while we balloted gets no new holder. Returning the lease
            // (even marked lost) would be unsafe: the fencing of a lost lockspace and the
            // holder check of a removal have already looked for holders and not seen this one,
            // and once the host_id is released or rejoined with a new generation, other hosts
            // take our leases at once. The committed lease stays on disk under our old
            // generation, with no release I/O, exactly like the leases dropped at the loss.
            synchronized (rt) {
                if (rt.state != LockspaceState.JOINED && rt.state != LockspaceState.FAILING) {
                    log.logf("r%s:%s acquire dropped: lockspace %s while acquiring, no release I/O",
                            res.lockspaceName(), res.name(), rt.state);
                    throw new SanlockException(SanlockError.ENOSPC, "lockspace " + rt.name() + " was "
                            + (rt.state == LockspaceState.LOST ? "lost" : "left") + " while acquiring " + res.name());
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
        ResourceLease lease = new ResourceLease(r.key.lockspace(), r.key.resource(), r.path, r.offset, r.mode,
                r.token.lver(), r.token.hostId(), r.token.generation(), ids.incrementAndGet());
        r.handles.put(lease.id(), new HeldResource.Handle(lease, holder));
        return lease;
    }

    /**
     * The sector/align sizes of a held lease's area, as its leader gave them (a lease may
     * differ from its lockspace's, e.g. 4096/1M leases in a 4096/8M lockspace); empty when
     * the lease is no longer held.
     */
    public Optional<Geometry> leaseGeometry(ResourceLease lease) {
        HeldResource r = resources.get(new ResourceKey(lease.lockspace(), lease.resource()));
        if (r == null) {
            return Optional.empty();
        }
        synchronized (r) {
            return r.paxos == null || !r.handles.containsKey(lease.id()) ? Optional.empty() : Optional.of(r.paxos.geometry());
        }
    }

    public boolean isHeld(ResourceLease lease) {
        HeldResource r = resources.get(new ResourceKey(lease.lockspace(), lease.resource()));
        if (r == null) {
            return false;
        }
        synchronized (r) {
            return !r.lost && r.handles.containsKey(lease.id());
        }
    }

    /**
     * Releases a lease (3.6/3.7). The last local shared holder's release writes
     * to disk; a lost lease is dropped with no I/O. If a release I/O times out,
     * the release is retried in the background (resource busy locally, -11) and
     * this call returns normally, as the reference does.
     *
     * @throws SanlockException -1 not held, -250/-251 the leader changed under us
     */
    public void release(ResourceLease lease) throws SanlockException {
        release(lease, null);
    }

    /**
     * Releases a lease as {@link #release(ResourceLease)} does; when {@code newName} is
     * not null the leader written by the release carries it as the resource name
     * (sanlock's SANLK_REL_RENAME, with which lvmlockd marks a removed VG's leases
     * {@code invalid_removed}). Nothing is renamed where the release writes no leader
     * (another local shared holder remains, a shared lease, a lost lease).
     */
    public void release(ResourceLease lease, String newName) throws SanlockException {
        release(lease, newName, true);
    }

    /**
     * Releases as {@link #release(ResourceLease, String)}; with {@code markReleased} false
     * the releasing host's dblock is not marked RELEASED (a resource index's
     * {@code rindex_lease}, as sanlock 3.8.5 releases it: ondisk.md 7).
     */
    public void release(ResourceLease lease, String newName, boolean markReleased) throws SanlockException {
        ResourceKey key = new ResourceKey(lease.lockspace(), lease.resource());
        HeldResource r = resources.get(key);
        if (r == null) {
            throw new SanlockException(SanlockError.EPERM, "resource " + lease.resource() + " is not held");
        }
        synchronized (r) {
            if (r.handles.remove(lease.id()) == null) {
                throw new SanlockException(SanlockError.EPERM, "resource " + lease.resource() + " is not held by this handle");
            }
            if (r.lost || halted) {
                if (r.handles.isEmpty()) {
                    resources.remove(key, r);
                }
                log.logf("r%s:%s release lost lease, no I/O", lease.lockspace(), lease.resource());
                return;
            }
            if (!r.handles.isEmpty()) {
                return; // other local shared holders remain
            }
            r.phase = HeldResource.Phase.RELEASING;
        }
        long started = clock.seconds();
        try {
            r.paxos.release(r.token, newName, markReleased);
            resources.remove(key, r);
        } catch (SanlockException e) {
            if (e.code() == SanlockError.AIO_TIMEOUT.code()) {
                log.logf("r%s:%s release timeout, retry async", lease.lockspace(), lease.resource());
                workers.execute(() -> retryRelease(r, started));
                return;
            }
            resources.remove(key, r);
            throw e;
        }
    }

    /** Background retries of a timed-out release: first ≥ N after the first attempt began, then ≥ 2N apart. */
    private void retryRelease(HeldResource r, long firstStarted) {
        long next = firstStarted + r.ls.mine.releaseFirstRetrySeconds();
        try {
            while (!halted && !closed) {
                while (clock.seconds() < next) {
                    clock.sleepNanos(100_000_000L);
                }
                long began = clock.seconds();
                try {
                    synchronized (r) {
                        if (r.lost) {
                            break;
                        }
                    }
                    r.paxos.release(r.token);
                    log.logf("r%s:%s release async done", r.key.lockspace(), r.key.resource());
                    break;
                } catch (SanlockException e) {
                    if (e.code() != SanlockError.AIO_TIMEOUT.code()) {
                        log.logf("r%s:%s release async error %d", r.key.lockspace(), r.key.resource(), e.code());
                        break;
                    }
                    next = began + r.ls.mine.releaseRetrySeconds();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            resources.remove(r.key, r);
        }
    }

    /**
     * Converts a held lease between exclusive and shared (sanlock_convert, 3.7).
     * Returns the lease as now held (same id, new mode and lver).
     *
     * @throws SanlockException -2 not held, -114 already in that mode, -11 other live
     *         shared holders (still held shared), -28 lockspace lost, -16 busy here
     */
    public ResourceLease convert(ResourceLease lease, LeaseMode to) throws SanlockException {
        checkOpen();
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
            r.paxos.convert(r.token, to == LeaseMode.SHARED, r.ls.member);
        } finally {
            synchronized (r) {
                r.phase = HeldResource.Phase.HELD;
                r.mode = r.token.shared() ? LeaseMode.SHARED : LeaseMode.EXCLUSIVE;
                ResourceLease now = new ResourceLease(lease.lockspace(), lease.resource(), lease.path(), lease.offset(),
                        r.mode, r.token.lver(), lease.hostId(), lease.generation(), lease.id());
                r.handles.put(lease.id(), new HeldResource.Handle(now, h.holder()));
            }
        }
        synchronized (r) {
            return r.handles.get(lease.id()).lease();
        }
    }

    /** Leases held by this engine (inquire), optionally only in one lockspace (null = all). */
    public List<ResourceLease> leases(String lockspace) {
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

    /**
     * Writes a request record for a lease held by another host (3.8); while the
     * bit is published (6N) my renewals ask the owner to look.
     *
     * @param lver the lease version requested (must exceed the current one, else -272)
     * @param forceMode 0 none, 1 FORCE, 2 GRACEFUL; lver 0 with mode 0 clears the record
     * @param nextLver use the current lver + 1 when lver is 0
     * @return the owner's host id, 0 when the lease was free (nothing written) or on clearing
     */
    public long request(ResourceSpec res, long lver, int forceMode, boolean nextLver) throws SanlockException {
        checkOpen();
        LockspaceRuntime rt = joined(res.lockspaceName());
        ResourceSpec.Disk disk = oneDisk(res);
        PaxosLease p = new PaxosLease(storage(disk.path()), disk.offset(), rt.member.delta().geometry(), rt.name(),
                res.name(), clock, log, random, pool);
        long owner = p.request(lver, forceMode, nextLver, rt.mine);
        if (owner != 0) {
            rt.notify.put(owner, clock.seconds());
        }
        return owner;
    }

    /** Reads and checks a resource's leader (who owns it, lver). */
    public Leader readLeader(ResourceSpec res) throws SanlockException {
        checkOpen();
        LockspaceRuntime rt = joined(res.lockspaceName());
        ResourceSpec.Disk disk = oneDisk(res);
        return new PaxosLease(storage(disk.path()), disk.offset(), rt.member.delta().geometry(), rt.name(), res.name(),
                clock, log, random, pool).readLeader(rt.mine);
    }

    // ------------------------------------------------------------------ hosts

    /**
     * The hosts seen in a lockspace (get_hosts), with states judged now on my clock.
     *
     * @throws SanlockException -2 unknown lockspace, -11 before the first scan
     */
    public List<HostInfo> hosts(String lockspace) throws SanlockException {
        LockspaceRuntime rt = lockspaces.get(lockspace);
        if (rt == null || rt.member == null) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " is not joined");
        }
        HostTable table = rt.member.table();
        if (!table.scanned()) {
            throw new SanlockException(SanlockError.EAGAIN, "lockspace " + lockspace + " has not been scanned yet");
        }
        long now = clock.seconds();
        List<HostInfo> out = new ArrayList<>();
        for (HostStatus hs : table.used()) {
            out.add(new HostInfo(hs.hostId(), hs.ownerGeneration(), hs.timestamp(), hs.ioTimeout(),
                    table.state(hs, now), hs.ownerName(), hs.lastCheck(), hs.lastLive()));
        }
        return out;
    }

    /**
     * The lockspace's renewal history (client renewal), oldest first: the join, then each
     * successful renewal with the failed attempts after it; at most
     * {@link Builder#renewalHistorySize} records (180).
     *
     * @throws SanlockException -2 unknown lockspace
     */
    public List<RenewalRecord> renewals(String lockspace) throws SanlockException {
        LockspaceRuntime rt = lockspaces.get(lockspace);
        if (rt == null) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " is not joined");
        }
        return rt.history();
    }

    /** My bookkeeping of one host (host_status), or empty if the lockspace is unknown. */
    public Optional<HostStatus> hostStatus(String lockspace, long hostId) {
        LockspaceRuntime rt = lockspaces.get(lockspace);
        if (rt == null || rt.member == null || hostId < 1 || hostId > rt.member.table().maxHosts()) {
            return Optional.empty();
        }
        return Optional.of(rt.member.table().status(hostId));
    }

    // -------------------------------------------------------------- lifecycle

    /**
     * Stops everything at once with no further I/O, like a host that crashed or
     * froze: no releases, host_ids and leases stay as they are on disk (other
     * hosts take them over after host_dead_seconds). For tests.
     */
    public void halt() {
        halted = true;
        for (LockspaceRuntime rt : lockspaces.values()) {
            rt.stop = true;
        }
        log.log("engine halted");
        shutdownThreads();
    }

    public boolean halted() {
        return halted;
    }

    /** Removes every lockspace (abandoning held leases, releasing host_ids), then stops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (!halted) {
            for (LockspaceRuntime rt : new ArrayList<>(lockspaces.values())) {
                try {
                    removeLockspace(rt.name(), false);
                } catch (SanlockException e) {
                    log.logf("s%s close: %s", rt.name(), e.getMessage());
                }
            }
        }
        closed = true;
        try {
            observer.engineClosed();
        } catch (RuntimeException e) {
            log.logf("renewal observer failed at close: %s", e);
        }
        shutdownThreads();
        for (LeaseStorage s : storages.values()) {
            s.close();
        }
        storages.clear();
    }

    private void shutdownThreads() {
        monitor.interrupt();
        events.shutdown();
        workers.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
