package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.daemon.metrics.DaemonObserver;
import io.jsanlock.daemon.metrics.RenewalEvents;
import io.jsanlock.daemon.metrics.RenewalHeadroom;
import io.jsanlock.daemon.watchdog.WatchdogMonitor;
import io.jsanlock.daemon.web.MetricsServer;
import io.jsanlock.engine.StorageOpener;

import java.io.IOException;

/**
 * What the daemon shows of itself beyond sanlock's protocol (docs/metrics.md): the renewal headroom
 * and its warning (always), and with -M / metrics_address the Prometheus metrics and the web view.
 *
 * <p>Without -M no class of the Prometheus client (nor {@link MetricsServer}) is loaded: the
 * {@code server} field is only read behind a null check, and what it hands out is typed by this
 * project's interfaces ({@link StorageOpener}, {@link io.jsanlock.daemon.metrics.DaemonObserver}).
 */
final class DaemonObservability implements AutoCloseable {
    final RenewalHeadroom headroom;
    /** jsanlock's renewal events, for REG_EVENT channels that ask (io.jsanlock.wire.JsanlockEvents). */
    final RenewalEvents renewalEvents;
    /** Null without -M. */
    private final MetricsServer server;

    private DaemonObservability(RenewalHeadroom headroom, MetricsServer server) {
        this.headroom = headroom;
        this.renewalEvents = new RenewalEvents(headroom);
        this.server = server;
    }

    /** IllegalArgumentException for a -M address that cannot be used. */
    static DaemonObservability create(DaemonOptions opts, MonotonicClock clock, DaemonLog log) {
        RenewalHeadroom headroom = new RenewalHeadroom(opts.renewalWarnPercent(), clock, log::warn);
        MetricsServer server = opts.metricsAddress().isEmpty() ? null : new MetricsServer(opts.metricsAddress(), headroom);
        return new DaemonObservability(headroom, server);
    }

    /** The engine's lease storage: with -M each read and write is timed. */
    StorageOpener storage(StorageOpener direct) {
        return server == null ? direct : server.metrics().timed(direct);
    }

    /**
     * Attaches to the daemon before its socket listens: renewal events always; with -M the metrics
     * and the web view start serving (so a busy port stops the start).
     */
    void serve(Daemon daemon, LeaseBackend backend, WatchdogMonitor watchdog) throws IOException {
        if (backend instanceof EngineBackend eb) {
            renewalEvents.generationFrom(name -> eb.engine().lockspace(name).map(l -> l.generation()).orElse(0L));
        }
        if (server == null) {
            daemon.observe(renewalEvents);
            return;
        }
        daemon.observe(DaemonObserver.both(renewalEvents, server.metrics()));
        server.start(new DaemonStateSource(daemon, backend, headroom, watchdog), daemon.log::warn);
        daemon.log.warn("metrics and web view on http://" + hostPort(server) + "/");
    }

    /** Where metrics and the web view are served, null without -M (or before {@link #serve}). */
    java.net.InetSocketAddress metricsAddress() {
        return server == null ? null : server.address();
    }

    private static String hostPort(MetricsServer s) {
        java.net.InetSocketAddress a = s.address();
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
