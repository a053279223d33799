package io.jsanlock.engine;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.ClockScheduler;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.base.Scheduler;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.lease.BufferPool;
import io.jsanlock.lease.HostStatus;
import io.jsanlock.lease.LockspaceMember;
import io.jsanlock.lease.PaxosLeaseFactory;
import io.jsanlock.lease.Timeouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
 * from io_timeout; docs/algorithms.md). Those classes are pure algorithm over two
 * strategies, a {@code LeaseStorage} and a {@code MonotonicClock}, so every step is
 * testable with a virtual clock and a fault-injecting store. This module is the policy
 * around them, split as sanlock's own sources are:
 * <ul>
 * <li>{@link Lockspace} ({@code lockspace.c}): one lockspace's state machine — join,
 *     renewals, the 6N/8N/8N+G check, host events and requests to look, removal;</li>
 * <li>{@link ResourceTable} ({@code resource.c}): acquire, release, convert, the leases
 *     in a lockspace, their drop when it is lost or left; {@link ReleaseRetries} retries
 *     a release whose I/O timed out;</li>
 * <li>{@link EventDispatch}: listeners and lease holders, called on one event thread;</li>
 * <li>{@link StorageCache}: one open storage per path, behind the halt gate;</li>
 * <li>{@link LockspaceTable}: the lockspaces by name, their registration and conflicts;</li>
 * <li>this class: the public façade, the monitor tick, and the engine's life cycle
 *     (build, halt, close).</li>
 * </ul>
 *
 * <p><b>Time.</b> Every duration is judged on the injected {@link MonotonicClock} and every
 * background step is started by the injected {@link Scheduler} (Builder {@code clock},
 * {@code scheduler}; by default a {@link ClockScheduler} on the clock), as Caffeine injects
 * its Ticker and Scheduler: on {@code io.jsanlock.testkit.ManualScheduler} a test advances
 * time by hand and each renewal, check and retry happens at an exact instant.
 *
 * <p><b>Threads.</b> Per lockspace one renewal thread (the reference's lockspace thread),
 * a renewal scheduled 2N+0.5 s after the last success; each renewal's read of the whole
 * lockspace area also feeds the host table (docs/algorithms.md 2.6). One monitor thread
 * per engine (the reference's main loop), ticking every 200 ms: each lockspace compares
 * {@code now - lastSuccess} with 6N/8N/8N+G and moves to FAILING, LOST and the kill
 * deadline — never later than the reference, which checks once a second. Acquire and
 * release run on the caller's thread; async joins, request examinations, the leaving of a
 * lost lockspace and release retries on worker threads. Callbacks go through one event
 * thread, so listeners see events in order and cannot stall renewals — except the one
 * {@link RenewalObserver}, called synchronously on the joining and renewal threads,
 * because the watchdog it stands for must be armed before a join is reported and re-armed
 * with each renewal, as the reference's lockspace thread does (algorithms.md 2.8).
 *
 * <p><b>No global lock.</b> Lockspaces and resources live in concurrent maps; a resource's
 * monitor is held only for bookkeeping, never across disk I/O; where a grant or a removal
 * must agree with a lockspace's state, the lockspace's monitor is taken first (lock order
 * lockspace, then resource).
 *
 * <p><b>Safety rules (invariants).</b> (1) A lost lockspace drops its leases with no I/O,
 * and its host_id is released only after every holder released — a freed host_id lets
 * other hosts take our leases at once, so it must not be freed while a holder may still
 * run. (2) The delta release is written only if the last renewal succeeded (never clobber
 * a slot someone else took). (3) A release that timed out is retried in the background
 * with the reference's spacing; meanwhile the resource is busy (-11) locally. (4) No lease
 * is granted in a lockspace that is lost or being left, even one whose commit already
 * landed. (5) {@link #halt()} stops every thread without further I/O: a crashed host, for
 * tests.
 *
 * <p><b>Why one file of ~650 lines.</b> It is the public API (what the daemon, CLI and tests
 * call) and its Builder: some forty public methods, each a documented contract and a few
 * lines of delegation to the parts above, read together in one place. No protocol logic
 * lives here.
 *
 * <p><b>No global state.</b> Everything hangs off the instance (clock, scheduler, storage
 * opener, log ring, random source), so several engines in one JVM are several hosts, e.g.
 * over one in-memory "disk".
 *
 * <p><b>Logging.</b> One line per protocol step in the reference's wording
 * ({@code delta_acquire}, {@code ballot N phase1 write mbal M}, {@code
 * paxos_acquire owner ... dead A-B>C}) into a bounded {@link LogRing}
 * ({@link #logDump()}) and {@link System.Logger} at DEBUG.
 */
public final class LeaseEngine implements AutoCloseable {
    /** The monitor's tick: five checks a second, against the reference's one. */
    private static final long MONITOR_TICK_NANOS = 200_000_000L;

    private final String hostName;
    private final MonotonicClock clock;
    private final int watchdogSeconds;
    private final int killGraceSeconds;
    private final LogRing log;
    private final RenewalObserver observer;
    private final EngineContext ctx;
    private final ResourceTable resources;
    private final LockspaceTable lockspaces;
    /** The scheduler this engine made for itself (closed with it), or null when one was given. */
    private final @Nullable ClockScheduler ownScheduler;
    private final ExecutorService monitorThread;
    private volatile @Nullable Future<?> nextTick;

    private LeaseEngine(Builder b) {
        this.hostName = b.hostName;
        this.clock = b.clock;
        this.watchdogSeconds = b.watchdogSeconds;
        this.killGraceSeconds = b.killGraceSeconds;
        this.log = b.log != null ? b.log : new LogRing(clock, b.logCapacity, "io.jsanlock.engine");
        this.observer = b.observer;
        String tag = "jsanlock-" + hostName;
        Scheduler scheduler;
        if (b.scheduler != null) {
            scheduler = b.scheduler;
            this.ownScheduler = null;
        } else {
            ClockScheduler own = new ClockScheduler(clock, tag + "-timer");
            this.ownScheduler = own;
            scheduler = own;
        }
        // Lease-area buffers (1 MiB each at the default geometry) for ballots and renewals: 4 kept
        // when idle, up to 32 through a burst of parallel acquires, trimmed back half a second
        // after it (BufferPool says why; the monitor tick trims).
        BufferPool areaBuffers = new BufferPool(4, 32, 500_000_000L, clock);
        PaxosLeaseFactory paxos = new PaxosLeaseFactory(clock, log, b.seed == null ? new Random() : new Random(b.seed),
                areaBuffers);
        this.ctx = new EngineContext(hostName, clock, scheduler, log, observer, b.renewalHistorySize, paxos, areaBuffers,
                b.opener,
                Executors.newCachedThreadPool(r -> EngineContext.daemonThread(r, tag + "-worker")),
                Executors.newSingleThreadExecutor(r -> EngineContext.daemonThread(r, tag + "-events")));
        this.resources = new ResourceTable(ctx);
        this.lockspaces = new LockspaceTable(ctx, resources);
        if (b.listener != null) {
            ctx.events.addListener(b.listener);
        }
        this.monitorThread = Executors.newSingleThreadExecutor(r -> EngineContext.daemonThread(r, tag + "-monitor"));
        scheduleTick();
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
        private @Nullable Scheduler scheduler;
        private StorageOpener opener = StorageOpener.DIRECT;
        private int watchdogSeconds = Timeouts.WATCHDOG_FIRE_TIMEOUT;
        private int killGraceSeconds = Timeouts.DEFAULT_KILL_GRACE;
        private @Nullable Long seed;
        private @Nullable LogRing log;
        private int logCapacity = 10_000;
        private @Nullable LockspaceListener listener;
        private RenewalObserver observer = RenewalObserver.NONE;
        private int renewalHistorySize = DEFAULT_RENEWAL_HISTORY;

        private Builder(String hostName) {
            this.hostName = hostName;
        }

        public Builder clock(MonotonicClock c) {
            this.clock = c;
            return this;
        }

        /**
         * What starts the engine's background steps (renewals, monitor ticks, release retries,
         * event delivery); it must run on the same time scale as {@link #clock}. By default the
         * engine runs its own timer thread on the clock. A test gives one
         * {@code io.jsanlock.testkit.ManualScheduler} as both clock and scheduler.
         */
        public Builder scheduler(Scheduler s) {
            this.scheduler = s;
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
        ctx.events.addListener(l);
    }

    public void removeListener(LockspaceListener l) {
        ctx.events.removeListener(l);
    }

    private void checkOpen() throws SanlockException {
        if (ctx.halted || ctx.closed) {
            throw new SanlockException(SanlockError.ERROR, "lease engine of " + hostName + " is "
                    + (ctx.halted ? "halted" : "closed"));
        }
    }

    private Timeouts timeouts(int ioTimeout) throws SanlockException {
        int n = ioTimeout == 0 ? Timeouts.DEFAULT_IO_TIMEOUT : ioTimeout;
        if (n < 1 || n > 255) {
            throw new SanlockException(SanlockError.EINVAL, "io_timeout must be 0..255 seconds, got " + ioTimeout);
        }
        return new Timeouts(n, watchdogSeconds, killGraceSeconds);
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
        Lockspace ls = register(spec, ioTimeout);
        ls.join();
        return ls.info();
    }

    /** Same, returning at once; the future completes when joined. {@link #lockspaceState} says JOINING meanwhile. */
    public CompletableFuture<LockspaceInfo> addLockspaceAsync(LockspaceSpec spec, int ioTimeout) throws SanlockException {
        Lockspace ls = register(spec, ioTimeout);
        CompletableFuture<LockspaceInfo> f = new CompletableFuture<>();
        ctx.background(() -> {
            try {
                ls.join();
                f.complete(ls.info());
            } catch (SanlockException e) {
                f.completeExceptionally(e);
            } catch (RuntimeException | Error e) {
                // join() has already failed the lockspace out of ADD; the caller must hear of it too
                f.completeExceptionally(new SanlockException(SanlockError.ERROR, String.valueOf(e), e));
            }
        });
        return f;
    }

    private Lockspace register(LockspaceSpec spec, int ioTimeout) throws SanlockException {
        observer.beforeJoin(spec);
        checkOpen();
        if (spec.name().isEmpty() || spec.hostId() < 1 || spec.path().isEmpty()) {
            throw new SanlockException(SanlockError.EINVAL, "lockspace needs a name, a host_id >= 1 and a path: " + spec);
        }
        Timeouts mine = timeouts(ioTimeout);
        return lockspaces.register(spec, mine);
    }

    /** The state of a lockspace, or empty if it is unknown here (inq_lockspace: -2). */
    public Optional<LockspaceState> lockspaceState(String name) {
        Lockspace ls = lockspaces.get(name);
        return ls == null ? Optional.empty() : Optional.of(ls.state());
    }

    public Optional<LockspaceInfo> lockspace(String name) {
        Lockspace ls = lockspaces.get(name);
        return ls == null ? Optional.empty() : Optional.of(ls.info());
    }

    /**
     * The sector/align sizes of a lockspace's delta lease area, as read at the join; empty
     * while the join has not read it yet or for an unknown name (status -D prints them).
     */
    public Optional<Geometry> lockspaceGeometry(String name) {
        Lockspace ls = lockspaces.get(name);
        return ls == null ? Optional.empty() : Optional.ofNullable(ls.geometry());
    }

    public List<LockspaceInfo> lockspaces() {
        List<LockspaceInfo> out = new ArrayList<>();
        for (Lockspace ls : lockspaces.all()) {
            out.add(ls.info());
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
        Lockspace ls = lockspaces.get(name);
        if (ls == null) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + name + " is not joined");
        }
        ls.beginRemoval(unusedOnly);
    }

    /**
     * Second half of {@link #removeLockspace}, after {@link #beginRemoval}: stops
     * renewing and releases the host_id (if the last renewal succeeded). Leases still
     * held are abandoned on disk; the caller must have stopped their holders.
     */
    public void completeRemoval(String name) throws SanlockException {
        Lockspace ls = lockspaces.get(name);
        if (ls == null) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + name + " is not being removed");
        }
        ls.completeRemoval();
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
        lockspaces.joined(lockspace).setEvent(targetHostId, generation, event, data, flags);
    }

    /** Runs the request examination now for every lease held in a lockspace (client examine). */
    public void examine(String lockspace) throws SanlockException {
        resources.examine(lockspaces.joined(lockspace));
    }

    // ---------------------------------------------------------------- monitor

    private void scheduleTick() {
        if (!ctx.halted && !ctx.closed) {
            nextTick = ctx.scheduler.schedule(monitorThread, this::tick, MONITOR_TICK_NANOS);
        }
    }

    private void tick() {
        try {
            lockspaces.checkAll();
            ctx.areaBuffers.trim();
            DirectFileStorage.trimBuffers();
        } finally {
            scheduleTick();
        }
    }

    // -------------------------------------------------------------- resources

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
        return resources.acquire(lockspaces.joined(res.lockspaceName()), res, opt);
    }

    /**
     * The sector/align sizes of a held lease's area, as its leader gave them (a lease may
     * differ from its lockspace's, e.g. 4096/1M leases in a 4096/8M lockspace); empty when
     * the lease is no longer held.
     */
    public Optional<Geometry> leaseGeometry(ResourceLease lease) {
        return resources.leaseGeometry(lease);
    }

    /** True while {@code lease} is held (not released, not lost). */
    public boolean isHeld(ResourceLease lease) {
        return resources.isHeld(lease);
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
    public void release(ResourceLease lease, @Nullable String newName) throws SanlockException {
        release(lease, newName, true);
    }

    /**
     * Releases as {@link #release(ResourceLease, String)}; with {@code markReleased} false
     * the releasing host's dblock is not marked RELEASED (a resource index's
     * {@code rindex_lease}, as sanlock 3.8.5 releases it: ondisk.md 7).
     */
    public void release(ResourceLease lease, @Nullable String newName, boolean markReleased) throws SanlockException {
        resources.release(lease, newName, markReleased);
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
        return resources.convert(lease, to);
    }

    /** Leases held by this engine (inquire), optionally only in one lockspace (null = all). */
    public List<ResourceLease> leases(String lockspace) {
        return resources.leases(lockspace);
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
        return resources.request(lockspaces.joined(res.lockspaceName()), res, lver, forceMode, nextLver);
    }

    /** Reads and checks a resource's leader (who owns it, lver). */
    public Leader readLeader(ResourceSpec res) throws SanlockException {
        checkOpen();
        return resources.readLeader(lockspaces.joined(res.lockspaceName()), res);
    }

    // ------------------------------------------------------------------ hosts

    /**
     * The hosts seen in a lockspace (get_hosts), with states judged now on my clock.
     *
     * @throws SanlockException -2 unknown lockspace, -11 before the first scan
     */
    public List<HostInfo> hosts(String lockspace) throws SanlockException {
        Lockspace ls = lockspaces.get(lockspace);
        if (ls == null || ls.member() == null) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " is not joined");
        }
        return ls.hosts();
    }

    /**
     * The lockspace's renewal history (client renewal), oldest first: the join, then each
     * successful renewal with the failed attempts after it; at most
     * {@link Builder#renewalHistorySize} records (180).
     *
     * @throws SanlockException -2 unknown lockspace
     */
    public List<RenewalRecord> renewals(String lockspace) throws SanlockException {
        Lockspace ls = lockspaces.get(lockspace);
        if (ls == null) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + lockspace + " is not joined");
        }
        return ls.history();
    }

    /** My bookkeeping of one host (host_status), or empty if the lockspace is unknown. */
    public Optional<HostStatus> hostStatus(String lockspace, long hostId) {
        Lockspace ls = lockspaces.get(lockspace);
        LockspaceMember m = ls == null ? null : ls.member();
        if (m == null || hostId < 1 || hostId > m.table().maxHosts()) {
            return Optional.empty();
        }
        return Optional.of(m.table().status(hostId));
    }

    // -------------------------------------------------------------- lifecycle

    /**
     * Stops everything at once with no further I/O, like a host that crashed or
     * froze: no releases, host_ids and leases stay as they are on disk (other
     * hosts take them over after host_dead_seconds). For tests.
     */
    public void halt() {
        ctx.halted = true;
        for (Lockspace ls : lockspaces.all()) {
            ls.halt();
        }
        log.log("engine halted");
        shutdownThreads();
    }

    public boolean halted() {
        return ctx.halted;
    }

    /** Removes every lockspace (abandoning held leases, releasing host_ids), then stops. */
    @Override
    public void close() {
        if (ctx.closed) {
            return;
        }
        if (!ctx.halted) {
            for (Lockspace ls : lockspaces.all()) {
                try {
                    removeLockspace(ls.name(), false);
                } catch (SanlockException e) {
                    log.logf("s%s close: %s", ls.name(), String.valueOf(e.getMessage()));
                }
            }
        }
        ctx.closed = true;
        try {
            observer.engineClosed();
        } catch (RuntimeException e) {
            log.logf("renewal observer failed at close: %s", e);
        }
        shutdownThreads();
        ctx.storage.closeAll();
    }

    private void shutdownThreads() {
        Future<?> tick = nextTick;
        if (tick != null) {
            tick.cancel(false);
        }
        monitorThread.shutdown();
        ctx.workers.shutdown();
        ctx.events.shutdown();
        if (ownScheduler != null) {
            ownScheduler.close();
        }
    }
}
