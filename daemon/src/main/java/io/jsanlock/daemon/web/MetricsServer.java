package io.jsanlock.daemon.web;

import com.sun.net.httpserver.HttpExchange;
import io.jsanlock.daemon.metrics.DaemonState;
import io.jsanlock.daemon.metrics.PrometheusMetrics;
import io.jsanlock.daemon.metrics.RenewalHeadroom;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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
    /** The address used for a bare port ({@code -M 9464}) or an empty host ({@code -M :9464}). */
    static final String DEFAULT_HOST = "127.0.0.1";

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
        parse(address); // fail before anything starts
        this.address = address;
        this.headroom = headroom;
        this.metrics = new PrometheusMetrics(headroom);
    }

    public PrometheusMetrics metrics() {
        return metrics;
    }

    /** A HOST:PORT (IPv6 in brackets) as a socket address; a bare port or an empty host means loopback. */
    static InetSocketAddress parse(String address) {
        String host = DEFAULT_HOST;
        String port = address;
        int colon = address.lastIndexOf(':');
        if (colon >= 0) {
            host = address.substring(0, colon);
            port = address.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                host = DEFAULT_HOST;
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("metrics address '" + address + "': expected HOST:PORT (e.g. 127.0.0.1:9464)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (IOException e) {
            throw new IllegalArgumentException("metrics address '" + address + "': unknown host " + host);
        }
    }

    /** Serves metrics and the web view of the daemon whose state {@code source} takes. */
    public void start(Supplier<DaemonState> source, Consumer<String> warn) throws IOException {
        this.state = source;
        metrics.readStateFrom(source);
        InetSocketAddress a = parse(address);
        if (!a.getAddress().isLoopbackAddress()) {
            warn.accept("metrics and web view served on " + a + ", not loopback: anyone who reaches it sees the"
                    + " lockspaces, hosts and lease holders (there is no login)");
        }
        server = HTTPServer.builder().inetAddress(a.getAddress()).port(a.getPort()).registry(metrics.registry())
                .defaultHandler(this::page).buildAndStart();
    }

    /** The address listened on. */
    public InetSocketAddress address() {
        return new InetSocketAddress(parse(address).getAddress(), port());
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
