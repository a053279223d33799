package io.jsanlock.daemon;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.EventChannel;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.engine.StorageOpener;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.wire.EventCallback;
import io.jsanlock.wire.JsanlockEvents;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Two jsanlock daemons on one lease file, each serving metrics (daemon -M on its own loopback
 * port, built as {@link DaemonMain} builds it), scraped over HTTP while the cluster works: the
 * renewal counters and headroom move, both hosts are seen live, ACQUIRE results are counted by
 * code (a grant here, a refusal on the other host while this one holds the lease), a renewal
 * slowed past renewal_warn_percent of io_timeout is counted, logged and sent as jsanlock's renewal
 * event to the event channel that asked for it (and not to one that did not), and a host that dies is
 * counted as failing by the other after 8·io_timeout, then as dead after 8·io_timeout + W (W = 60 s,
 * the watchdog's fire timeout: a real minute, hence slow).
 */
@Timeout(240)
@Tag("slow")
// Beside the reference parity lane (at most two tests at once): most of its 77 s is waiting out
// host_dead_seconds, protocol time, and its one timed step (the slowed renewal) accepts a loaded
// machine (70-99% of io_timeout).
@Execution(ExecutionMode.CONCURRENT)
class MetricsClusterTest {
    static final int IO_TIMEOUT = 1;

    @TempDir
    Path dir;

    final List<Node> nodes = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    /** One daemon: its log, its storage (slowed on demand), its metrics address. */
    record Node(Daemon daemon, LeaseBackend backend, DaemonObservability observability, DaemonLog log,
                List<FaultyStorage> storage, SanlockClient client, URI metrics) {
        String logText() {
            return new String(log.dump(), StandardCharsets.UTF_8);
        }
    }

    Node start(String host) throws Exception {
        Path run = dir.resolve("run-" + host);
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", host, "-M", "127.0.0.1:0").withRunDir(run);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        List<FaultyStorage> storage = new java.util.concurrent.CopyOnWriteArrayList<>();
        StorageOpener opener = path -> {
            FaultyStorage f = new FaultyStorage(StorageOpener.DIRECT.open(path), MonotonicClock.SYSTEM);
            f.setRecording(false);
            storage.add(f);
            return f;
        };
        DaemonObservability obs = DaemonObservability.create(o, MonotonicClock.SYSTEM, log);
        LeaseBackend backend = DaemonMain.engineBackend(new DaemonMain.DaemonContext(o, log, MonotonicClock.SYSTEM), null,
                obs.headroom, obs.storage(opener));
        Daemon d = new Daemon(o, backend, log, MonotonicClock.SYSTEM);
        obs.serve(d, backend, null);
        d.start();
        var a = obs.metricsAddress();
        assertThat(a.getAddress().isLoopbackAddress()).as("served on loopback: " + a).isTrue();
        Node n = new Node(d, backend, obs, log, storage, new SanlockClient(run),
                URI.create("http://127.0.0.1:" + a.getPort() + "/metrics"));
        nodes.add(n);
        return n;
    }

    @AfterEach
    void stop() {
        for (Node n : nodes) {
            n.daemon().shutdown();
            n.observability().close();
        }
    }

    String scrape(Node n) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(n.metrics()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** The value of one series ({@code name{labels}} exactly as exposed), or NaN when absent. */
    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    double value(Node n, String series) throws Exception {
        return value(scrape(n), series);
    }

    Path leases() throws Exception {
        Path leases = dir.resolve("leases");
        Files.write(leases, new byte[2 << 20]);
        init("-s", "LS:0:" + leases + ":0");
        init("-r", "LS:R1:" + leases + ":1048576");
        return leases;
    }

    /** Lease areas as the reference writes them (the test's storage is the real sanlock format). */
    static void init(String kind, String what) throws Exception {
        Process p = new ProcessBuilder("/usr/sbin/sanlock", "direct", "init", kind, what, "-o", Integer.toString(IO_TIMEOUT))
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
    }

    @Test
    void theMetricsOfTwoHostsMoveWithRenewalsAcquiresAndASlowRenewal() throws Exception {
        Path leases = leases();
        Node a = start("hostA");
        Node b = start("hostB");
        // the hosts join side by side (different host ids, nothing to contend for), as a cluster boots
        java.util.concurrent.CompletableFuture<Void> joinB = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                b.client().addLockspace(Lockspace.of("LS", 2, leases.toString(), 0), IO_TIMEOUT, false);
            } catch (SanlockException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        a.client().addLockspace(Lockspace.of("LS", 1, leases.toString(), 0), IO_TIMEOUT, false);
        joinB.get(60, java.util.concurrent.TimeUnit.SECONDS);

        // renewals are counted, and each host sees both live
        await("two renewals of host A counted", Duration.ofSeconds(20),
                () -> value(a, "jsanlock_renewals_total{lockspace=\"LS\"}") >= 2);
        for (Node n : nodes) {
            await("both hosts live on " + n.metrics(), Duration.ofSeconds(20),
                    () -> value(n, "jsanlock_hosts{lockspace=\"LS\",state=\"live\"}") == 2);
        }
        String sa = scrape(a);
        double headroom = value(sa, "jsanlock_renewal_headroom_seconds{lockspace=\"LS\"}");
        assertThat(headroom).as("headroom: 8 x io_timeout minus the renewal's age (renewed every 2 x io_timeout)")
                .isBetween(8.0 * IO_TIMEOUT - 2 * IO_TIMEOUT - 2, 8.0 * IO_TIMEOUT);
        assertThat(value(sa, "jsanlock_io_timeout_seconds{lockspace=\"LS\"}")).isEqualTo(IO_TIMEOUT);
        assertThat(value(sa, "jsanlock_renewal_duration_seconds_count{lockspace=\"LS\"}")).isGreaterThanOrEqualTo(2);
        assertThat(value(sa, "jsanlock_io_duration_seconds_count{op=\"read\"}")).isGreaterThan(0);
        assertThat(value(sa, "jsanlock_io_duration_seconds_count{op=\"write\"}")).isGreaterThan(0);
        assertThat(value(sa, "jsanlock_watchdog_enabled")).isEqualTo(0);
        // a scraper asking for the protobuf format (Prometheus with native histograms) is served too
        HttpResponse<byte[]> proto = http.send(HttpRequest.newBuilder(a.metrics()).header("Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, proto.statusCode());
        assertThat(proto.headers().firstValue("Content-Type").orElse("")).startsWith("application/vnd.google.protobuf");
        assertThat(new String(proto.body(), StandardCharsets.ISO_8859_1)).contains("jsanlock_renewals_total");

        // an acquire granted on A, then refused on B while A holds the lease
        Resource r1 = Resource.of("LS", "R1", leases.toString(), 1 << 20);
        int refused;
        try (Registration holderA = a.client().register(); Registration holderB = b.client().register()) {
            holderA.acquire(r1);
            try {
                holderB.acquire(r1);
                throw new AssertionError("host B acquired a lease host A holds");
            } catch (SanlockException e) {
                refused = e.code();
            }
            String held = scrape(a);
            assertThat(value(held, "jsanlock_acquires_total{result=\"0\"}")).isEqualTo(1);
            assertThat(value(held, "jsanlock_leases_held{lockspace=\"LS\",mode=\"exclusive\"}")).isEqualTo(1);
            assertThat(value(held, "jsanlock_client_connections")).isGreaterThanOrEqualTo(1);
            assertThat(value(b, "jsanlock_acquires_total{result=\"" + refused + "\"}")).as("B's refusal " + refused)
                    .isEqualTo(1);
            assertThat(refused).as("held by a live host: -243 (SANLK_ACQUIRE_IDLIVE, algorithms.md 3.3)").isEqualTo(-243);
            holderA.release(r1);
            assertThat(value(a, "jsanlock_releases_total{result=\"0\"}")).isEqualTo(1);
            assertThat(value(a, "jsanlock_leases_held{lockspace=\"LS\",mode=\"exclusive\"}")).isEqualTo(0);
        }

        // one renewal read of host A slowed to 70% of io_timeout: counted, logged, and the headroom stays sane
        assertThat(value(a, "jsanlock_renewal_slow_total{lockspace=\"LS\"}")).isEqualTo(0);
        // a client that asked for jsanlock's renewal events, and one that did not (as every sanlock client)
        EventChannel asked = a.client().registerEvents("LS", JsanlockEvents.REG_RENEWAL_EVENTS);
        EventChannel plain = a.client().registerEvents("LS");
        for (FaultyStorage f : a.storage()) {
            f.before(FaultyStorage.Match.read(0), 1, () -> {
                try {
                    Thread.sleep(700L * IO_TIMEOUT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        await("the slow renewal counted", Duration.ofSeconds(20),
                () -> value(a, "jsanlock_renewal_slow_total{lockspace=\"LS\"}") == 1);
        // slowed by 700 ms: 70% and up (the read itself and a loaded machine add to it, up to < 100%)
        assertThat(a.logText()).containsPattern("sLS renewal slow: read [7-9]\\d\\d ms write \\d+ ms, [7-9]\\d% of io_timeout 1 "
                + "\\(warning above 50%\\), \\d+ s left before holders are killed");
        assertThat(b.logText()).doesNotContain("renewal slow");
        EventCallback ev = asked.next(10_000);
        assertThat(ev).as("the renewal event").isNotNull();
        assertThat(ev.event().event()).isEqualTo(JsanlockEvents.RENEWAL_SLOW);
        assertThat(ev.event().hostId()).isEqualTo(1);
        assertThat(ev.fromHostId()).as("sent by this host about itself").isEqualTo(1);
        assertThat(ev.fromGeneration()).isEqualTo(ev.event().generation()).isEqualTo(1);
        assertThat(JsanlockEvents.percentUsed(ev.event().data())).isBetween(70, 99);
        assertThat(JsanlockEvents.headroomSeconds(ev.event().data())).isBetween(1L, 8L * IO_TIMEOUT);
        assertThat(plain.next(0)).as("a channel that did not ask gets sanlock's stream only").isNull();
        asked.close();
        plain.close();
        double ratio = value(a, "jsanlock_renewal_io_timeout_ratio{lockspace=\"LS\",op=\"read\"}");
        assertThat(value(a, "jsanlock_renewal_slow_total{lockspace=\"LS\"}")).isEqualTo(1);
        assertThat(ratio).as("the last renewal's read share (the slow one, or a normal one after it)").isBetween(0.0, 1.0);
        assertThat(value(a, "jsanlock_renewal_failures_total{lockspace=\"LS\",result=\"-202\"}")).isNaN();

        // host B dies (its engine halts: no I/O any more, as a crashed host): A sees it fail after 8 x io_timeout
        ((EngineBackend) b.backend()).engine().halt();
        await("host B failing on host A", Duration.ofSeconds(8L * IO_TIMEOUT + 15),
                () -> value(a, "jsanlock_hosts{lockspace=\"LS\",state=\"fail\"}") == 1);
        String after = scrape(a);
        assertThat(value(after, "jsanlock_hosts{lockspace=\"LS\",state=\"live\"}")).as("host A itself").isEqualTo(1);
        assertThat(value(after, "jsanlock_renewal_headroom_seconds{lockspace=\"LS\"}")).as("A's own headroom unharmed")
                .isGreaterThan(0);
        // ... and dead once host_dead_seconds (8 x io_timeout + 60) have passed since its last renewal
        await("host B dead on host A", Duration.ofSeconds(8L * IO_TIMEOUT + 60 + 30),
                () -> value(a, "jsanlock_hosts{lockspace=\"LS\",state=\"dead\"}") == 1);
        String dead = scrape(a);
        assertThat(value(dead, "jsanlock_hosts{lockspace=\"LS\",state=\"fail\"}")).as("no longer failing").isIn(0.0, Double.NaN);
        assertThat(value(dead, "jsanlock_hosts{lockspace=\"LS\",state=\"live\"}")).as("host A itself").isEqualTo(1);
    }
}
