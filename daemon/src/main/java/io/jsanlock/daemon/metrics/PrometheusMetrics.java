package io.jsanlock.daemon.metrics;

import io.jsanlock.base.SanlockException;
import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.engine.StorageOpener;
import io.jsanlock.lease.HostState;
import io.jsanlock.lease.LeaseStorage;
import io.jsanlock.lease.Timeouts;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics (docs/metrics.md lists each). Counters and histograms are fed as
 * things happen (renewals through {@link RenewalHeadroom}, commands and fencing through
 * {@link DaemonObserver}, lease I/O through {@link #timed}); gauges are read from a fresh
 * {@link DaemonState} at each scrape.
 *
 * <p>Only {@code io.jsanlock.daemon.web.MetricsServer} creates one, when daemon -M (or
 * metrics_address) is given: without it no class of the Prometheus client is loaded.
 */
public final class PrometheusMetrics implements DaemonObserver, RenewalHeadroom.Listener {
    /** Renewal and I/O buckets: from a healthy local disk (ms) up to 8 × the default io_timeout. */
    private static final double[] SECONDS_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 20, 40, 80};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram renewalDuration;
    private final Counter renewals;
    private final Counter renewalFailures;
    private final Counter renewalSlow;
    private final Histogram ioDuration;
    private final Counter ioFailures;
    private final Counter acquires;
    private final Counter acquiredLeases;
    private final Counter releases;
    private final Counter fencing;
    private volatile Supplier<DaemonState> state = () -> null;

    public PrometheusMetrics(RenewalHeadroom headroom) {
        renewalDuration = Histogram.builder().name("jsanlock_renewal_duration_seconds")
                .help("Time a successful host_id renewal took (its read plus its write)").labelNames("lockspace")
                .classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        renewals = Counter.builder().name("jsanlock_renewals_total").help("Successful host_id renewals")
                .labelNames("lockspace").register(registry);
        renewalFailures = Counter.builder().name("jsanlock_renewal_failures_total")
                .help("Failed host_id renewal attempts, by sanlock result code (-202: I/O timeout)")
                .labelNames("lockspace", "result").register(registry);
        renewalSlow = Counter.builder().name("jsanlock_renewal_slow_total")
                .help("Renewals whose read or write took more than renewal_warn_percent of io_timeout")
                .labelNames("lockspace").register(registry);
        ioDuration = Histogram.builder().name("jsanlock_io_duration_seconds")
                .help("Lease I/O of the engine (delta and paxos leases), by operation").labelNames("op")
                .classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        ioFailures = Counter.builder().name("jsanlock_io_failures_total")
                .help("Lease I/O that failed, by operation and sanlock result code").labelNames("op", "result")
                .register(registry);
        acquires = Counter.builder().name("jsanlock_acquires_total")
                .help("ACQUIRE commands, by result (0 or the sanlock code: -11 held by another host, -243 ...)")
                .labelNames("result").register(registry);
        acquiredLeases = Counter.builder().name("jsanlock_acquire_leases_total")
                .help("Leases asked for by ACQUIRE commands, by the command's result").labelNames("result")
                .register(registry);
        releases = Counter.builder().name("jsanlock_releases_total").help("RELEASE commands, by result")
                .labelNames("result").register(registry);
        fencing = Counter.builder().name("jsanlock_fencing_actions_total")
                .help("Signals and killpath runs sent to lease holders, by action (sigterm, sigkill, killpath)")
                .labelNames("action").register(registry);
        for (String action : new String[] {"sigterm", "sigkill", "killpath"}) {
            fencing.labelValues(action); // present at 0 from the start: a rate() over it needs the series
        }

        GaugeWithCallback.builder().name("jsanlock_renewal_headroom_seconds")
                .help("Seconds left before this host's lease holders are killed: 8*io_timeout - (now - last_success)")
                .labelNames("lockspace").callback(cb -> {
                    DaemonState s = state.get();
                    if (s != null) {
                        for (RenewalHeadroom.Lockspace ls : headroom.lockspaces()) {
                            cb.call((double) ls.headroomSeconds(s.now()), ls.name());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_renewal_io_timeout_ratio")
                .help("The last renewal's read or write time as a fraction of io_timeout").labelNames("lockspace", "op")
                .callback(cb -> {
                    for (RenewalHeadroom.Lockspace ls : headroom.lockspaces()) {
                        cb.call(ls.readFraction(), ls.name(), "read");
                        cb.call(ls.writeFraction(), ls.name(), "write");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_io_timeout_seconds").help("The io_timeout of each joined lockspace")
                .labelNames("lockspace").callback(cb -> {
                    for (RenewalHeadroom.Lockspace ls : headroom.lockspaces()) {
                        cb.call(ls.timeouts().ioTimeout(), ls.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_leases_held").help("Resource leases this host holds, by mode")
                .labelNames("lockspace", "mode").callback(cb -> {
                    DaemonState s = state.get();
                    if (s == null) {
                        return;
                    }
                    for (DaemonState.Lockspace ls : s.lockspaces()) {
                        long shared = ls.leases().stream().filter(l -> l.mode() == io.jsanlock.engine.LeaseMode.SHARED).count();
                        cb.call((double) (ls.leases().size() - shared), ls.info().name(), "exclusive");
                        cb.call((double) shared, ls.info().name(), "shared");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_hosts")
                .help("Hosts of each lockspace as this host last read them, by state (live, fail, dead, free, unknown)")
                .labelNames("lockspace", "state").callback(cb -> {
                    DaemonState s = state.get();
                    if (s == null) {
                        return;
                    }
                    for (DaemonState.Lockspace ls : s.lockspaces()) {
                        for (HostState hs : HostState.values()) {
                            long n = ls.hosts().stream().filter(h -> h.state() == hs).count();
                            cb.call((double) n, ls.info().name(), hs.name().toLowerCase(Locale.ROOT));
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_client_connections").help("Open client connections")
                .callback(cb -> {
                    DaemonState s = state.get();
                    if (s != null) {
                        cb.call(s.connections());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_watchdog_enabled").help("1 when the daemon uses a watchdog (-w 1)")
                .callback(cb -> {
                    DaemonState s = state.get();
                    if (s != null) {
                        cb.call(s.watchdogUsed() ? 1 : 0);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_watchdog_armed")
                .help("1 for each watchdog connection armed now (one per joined lockspace: sanlock_LOCKSPACE:HOSTID)")
                .labelNames("connection").callback(cb -> {
                    DaemonState s = state.get();
                    if (s != null) {
                        s.watchdogExpiries().keySet().forEach(c -> cb.call(1, c));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("jsanlock_watchdog_expiry_seconds")
                .help("Seconds until each armed watchdog connection fires unless re-armed by a renewal")
                .labelNames("connection").callback(cb -> {
                    DaemonState s = state.get();
                    if (s != null) {
                        for (Map.Entry<String, Long> e : s.watchdogExpiries().entrySet()) {
                            cb.call((double) (e.getValue() - s.now()), e.getKey());
                        }
                    }
                }).register(registry);
        headroom.addListener(this);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Where the gauges read the daemon from, once it runs. */
    public void readStateFrom(Supplier<DaemonState> source) {
        this.state = source;
    }

    @Override
    public void renewed(String lockspace, Timeouts timeouts, RenewalRecord record, boolean slow) {
        renewals.labelValues(lockspace).inc();
        renewalDuration.labelValues(lockspace).observe((record.readMillis() + record.writeMillis()) / 1000.0);
        if (slow) {
            renewalSlow.labelValues(lockspace).inc();
        } else {
            renewalSlow.labelValues(lockspace); // the series exists at 0 for an alert's increase()
        }
    }

    @Override
    public void failed(String lockspace, int result) {
        renewalFailures.labelValues(lockspace, Integer.toString(result)).inc();
    }

    @Override
    public void acquired(int result, int count) {
        acquires.labelValues(Integer.toString(result)).inc();
        acquiredLeases.labelValues(Integer.toString(result)).inc(count);
    }

    @Override
    public void released(int result) {
        releases.labelValues(Integer.toString(result)).inc();
    }

    @Override
    public void fenced(String action) {
        fencing.labelValues(action).inc();
    }

    /** {@code opener}'s storage with each read and write timed into {@code jsanlock_io_duration_seconds}. */
    public StorageOpener timed(StorageOpener opener) {
        return path -> {
            LeaseStorage s = opener.open(path);
            return new LeaseStorage() {
                @Override
                public void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException {
                    time("read", () -> s.read(offset, dst, timeoutNanos));
                }

                @Override
                public void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException {
                    time("write", () -> s.write(offset, src, timeoutNanos));
                }

                @Override
                public void close() {
                    s.close();
                }

                @Override
                public String toString() {
                    return s.toString();
                }
            };
        };
    }

    /** One lease I/O. */
    @FunctionalInterface
    private interface Io {
        void run() throws SanlockException;
    }

    /** Runs {@code io}, timing it into the histogram of {@code op} and counting its failure. */
    private void time(String op, Io io) throws SanlockException {
        long t0 = System.nanoTime();
        try {
            io.run();
        } catch (SanlockException e) {
            ioFailures.labelValues(op, Integer.toString(e.code())).inc();
            throw e;
        } finally {
            ioDuration.labelValues(op).observe((System.nanoTime() - t0) / 1e9);
        }
    }
}
