package io.jsanlock.daemon.web;

import com.sun.net.httpserver.HttpExchange;
import io.jsanlock.daemon.metrics.DaemonState;
import io.jsanlock.daemon.metrics.PrometheusMetrics;
import io.jsanlock.daemon.metrics.RenewalHeadroom;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * daemon -M HOST:PORT: Prometheus metrics at {@code /metrics} and the read-only web view at
 * {@code /} (its data at {@code /state.json}), on the Prometheus client's HTTP server.
 *
 * <p>Created only when -M or metrics_address is given: the daemon's other classes name no class
 * of the Prometheus client, so a daemon without it loads none and starts as before.
 *
 * <p>Nothing served here changes anything, and nothing asks for a login: the default address is
 * loopback, and an address reachable from elsewhere is the operator's explicit choice (logged).
 */
public final class MetricsServer implements AutoCloseable {
    private final PrometheusMetrics metrics;
    private final RenewalHeadroom headroom;
    private final String address;
    private volatile Supplier<DaemonState> state;
    private HTTPServer server;

    /**
     * Builds the metrics before the engine exists (so {@link #metrics()} can time its I/O);
     * {@link #start} serves them once the daemon runs. -22-style errors come as IllegalArgumentException.
     */
    public MetricsServer(String address, RenewalHeadroom headroom) {
        MetricsAddress.parse(address); // fail before anything starts
        this.address = address;
        this.headroom = headroom;
        this.metrics = new PrometheusMetrics(headroom);
    }

    public PrometheusMetrics metrics() {
        return metrics;
    }

    /** Serves metrics and the web view of the daemon whose state {@code source} takes. */
    public void start(Supplier<DaemonState> source, Consumer<String> warn) throws IOException {
        this.state = source;
        metrics.readStateFrom(source);
        InetSocketAddress a = MetricsAddress.parse(address);
        if (!a.getAddress().isLoopbackAddress()) {
            warn.accept("metrics and web view served on " + a + ", not loopback: anyone who reaches it sees the"
                    + " lockspaces, hosts and lease holders (there is no login)");
        }
        server = HTTPServer.builder().inetAddress(a.getAddress()).port(a.getPort()).registry(metrics.registry())
                .defaultHandler(this::page).buildAndStart();
    }

    /** The address listened on. */
    public InetSocketAddress address() {
        return new InetSocketAddress(MetricsAddress.parse(address).getAddress(), port());
    }

    /** The port listened on (the one asked for, or the one chosen for port 0). */
    public int port() {
        return server.getPort();
    }

    private void page(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                send(x, 405, "text/plain; charset=utf-8", "read-only: GET only\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/") || path.equals("/index.html")) {
                send(x, 200, "text/html; charset=utf-8", resource("index.html"));
            } else if (path.equals("/view.js")) {
                send(x, 200, "text/javascript; charset=utf-8", resource("view.js"));
            } else if (path.equals("/state.json")) {
                DaemonState s = state.get();
                send(x, 200, "application/json", StateJson.of(s, headroom.warnPercent()).getBytes(StandardCharsets.UTF_8));
            } else {
                send(x, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = MetricsServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " missing from the jar");
            }
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
