package io.jsanlock.dist.web;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.dist.cli.Run;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jsanlock daemon -M}: two daemons (hosts) on one lease file, each serving metrics and
 * the web view on its own loopback port, one lease held on host A by {@code client command}.
 * The page is rendered by headless Chromium (Debian's {@code chromium}) and its DOM, after the
 * page's script ran, shows both hosts, the held lease and its holder. Also: {@code -v} on
 * add_lockspace adds progress on stderr only, and a daemon without -M loads no class of the
 * Prometheus client nor of the web view.
 *
 * <p>The screenshot it takes is docs/web-view.png (copied from target/ by hand when the page changes:
 * {@code cp dist/target/web-view.png docs/}).
 */
@org.junit.jupiter.api.Tag("slow") // a whole-system run (~15 s on a loaded 2-core machine): failsafe, not the fast loop
@Timeout(240)
class WebViewTest {
    static final Path REPO = Path.of(System.getProperty("jsanlock.repo", "..")).toAbsolutePath().normalize();
    static final Path JSANLOCK = REPO.resolve("bin/jsanlock");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Pattern SERVED = Pattern.compile("metrics and web view on (http://127\\.0\\.0\\.1:\\d+/)");

    @TempDir
    Path dir;

    final List<Process> started = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process p : started.reversed()) { // the holder first, then the daemons (-w 0: nothing to fence)
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** A jsanlock daemon in its own run dir; {@code jvmOpts} go to the JVM (JSANLOCK_JAVA_OPTS). */
    Path daemon(String host, String jvmOpts, String... extra) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run-" + host));
        List<String> cmd = new ArrayList<>(List.of(JSANLOCK.toString(), "daemon", "-D", "-w", "0", "-e", host));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(run.resolve("daemon.log").toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("SANLOCK_RUN_DIR", run.toString());
        if (jvmOpts != null) {
            pb.environment().put("JSANLOCK_JAVA_OPTS", jvmOpts);
        }
        Process p = pb.start();
        started.add(p);
        SanlockClient client = new SanlockClient(run);
        await("the " + host + " daemon answering", Duration.ofSeconds(60), () -> {
            assertThat(p.isAlive()).as(host + " daemon exited: " + Files.readString(run.resolve("daemon.log"))).isTrue();
            try {
                client.version();
                return true;
            } catch (SanlockException e) {
                return false;
            }
        });
        return run;
    }

    static URI webOf(Path run) throws IOException {
        Matcher m = SERVED.matcher(Files.readString(run.resolve("daemon.log")));
        assertThat(m.find()).as("the daemon logs where it serves").isTrue();
        return URI.create(m.group(1));
    }

    String get(URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), uri.toString());
        return r.body();
    }

    static Run.Result jsanlock(Path run, String... args) {
        List<String> cmd = new ArrayList<>(List.of(JSANLOCK.toString()));
        cmd.addAll(List.of(args));
        return Run.cmd(run, cmd);
    }

    /** Headless Chromium as root, with a fresh profile and no network of its own. */
    Run.Result chromium(String... args) throws IOException {
        assertThat(Files.isExecutable(CHROMIUM)).as("Debian's chromium (apt-get install -y chromium; .ci/run does)").isTrue();
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile")));
        cmd.addAll(List.of(args));
        Run.Result r = Run.cmd(null, cmd, 120);
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    @Test
    void theWebViewOfADaemonShowsBothHostsTheHeldLeaseAndItsHolder() throws Exception {
        Path leases = dir.resolve("leases");
        Files.write(leases, new byte[2 << 20]);
        assertEquals(0, jsanlock(null, "direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1").exit());
        assertEquals(0, jsanlock(null, "direct", "init", "-r", "LS:R1:" + leases + ":1048576", "-o", "1").exit());
        Path a = daemon("hostA", null, "-M", "127.0.0.1:0");
        Path b = daemon("hostB", null, "-M", "127.0.0.1:0");
        URI webA = webOf(a);
        assertThat(webOf(b).getPort()).isNotEqualTo(webA.getPort());

        // -v: progress on stderr; stdout as without it (host B joins without -v, same io_timeout)
        Run.Result joinA = jsanlock(a, "client", "add_lockspace", "-v", "-s", "LS:1:" + leases + ":0", "-o", "1");
        Run.Result joinB = jsanlock(b, "client", "add_lockspace", "-s", "LS:2:" + leases + ":0", "-o", "1");
        assertEquals(0, joinA.exit(), joinA.toString());
        assertEquals(0, joinB.exit(), joinB.toString());
        assertThat(joinA.out()).isEqualTo(joinB.out()).isEqualTo("add_lockspace_timeout 1\nadd_lockspace_timeout done 0\n");
        assertThat(joinB.err()).isEmpty();
        assertThat(joinA.err()).startsWith("jsanlock: add_lockspace: waiting 2 s: delta lease of host_id 1 is free with"
                + " io_timeout 1 (2 x io_timeout after writing it, then it is read back)\n")
                .containsPattern("jsanlock: add_lockspace: answered after \\d+\\.\\d s\n$");

        ProcessBuilder hb = new ProcessBuilder(JSANLOCK.toString(), "client", "command", "-r", "LS:R1:" + leases + ":1048576",
                "-c", "/bin/sleep", "300").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        hb.environment().put("SANLOCK_RUN_DIR", a.toString());
        started.add(hb.start()); // holds R1 on host A until killed

        URI state = webA.resolve("state.json");
        await("host A sees both hosts live and holds R1", Duration.ofSeconds(30), () -> {
            String s = get(state);
            return s.split("\"state\":\"live\"", -1).length - 1 == 2 && s.contains("\"name\":\"R1\"")
                    && s.contains("/bin/sleep 300");
        });

        String dom = chromium("--virtual-time-budget=5000", "--dump-dom", webA.toString()).out();
        assertThat(dom).contains("data-rendered=\"1\"").contains("<span id=\"host\">hostA</span>")
                .contains("data-lockspace=\"LS\"");
        assertThat(row(dom, "data-host-id=\"1\"")).contains("hostA").contains("this host").contains("live");
        assertThat(row(dom, "data-host-id=\"2\"")).contains("hostB").contains("live");
        assertThat(row(dom, "data-resource=\"R1\"")).contains("<td class=\"num\">1</td>").contains("EX");
        assertThat(row(dom, "data-pid=")).contains("/bin/sleep 300").contains("LS:R1");
        assertThat(dom).containsPattern("class=\"num headroom\">-?\\d+ s of 8 s<");

        Path png = REPO.resolve("dist/target/web-view.png");
        Files.deleteIfExists(png);
        chromium("--virtual-time-budget=5000", "--window-size=900,600", "--hide-scrollbars",
                "--screenshot=" + png, webA.toString());
        assertThat(Files.size(png)).as("the screenshot").isGreaterThan(10_000);

        String metrics = get(webA.resolve("metrics"));
        assertThat(metrics).contains("jsanlock_hosts{lockspace=\"LS\",state=\"live\"} 2.0")
                .contains("jsanlock_acquires_total{result=\"0\"} 1.0")
                .contains("jsanlock_leases_held{lockspace=\"LS\",mode=\"exclusive\"} 1.0");
    }

    /** The table row (tr) with {@code attribute}. */
    static String row(String dom, String attribute) {
        int at = dom.indexOf(attribute);
        assertThat(at).as(attribute + " in\n" + dom).isNotNegative();
        return dom.substring(at, dom.indexOf("</tr>", at));
    }

    @Test
    void aDaemonWithoutMetricsLoadsNoClassOfThePrometheusClientOrTheWebView() throws Exception {
        Path leases = dir.resolve("leases");
        Files.write(leases, new byte[1 << 20]);
        assertEquals(0, jsanlock(null, "direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1").exit());
        Path plainLog = dir.resolve("plain-classes.log");
        Path withLog = dir.resolve("with-classes.log");
        Path plain = daemon("plain", "-Xlog:class+load=info:file=" + plainLog);
        Path with = daemon("with", "-Xlog:class+load=info:file=" + withLog, "-M", "127.0.0.1:0");
        // joined, renewing (the headroom is always followed): the paths a running daemon takes
        assertEquals(0, jsanlock(plain, "client", "add_lockspace", "-s", "LS:1:" + leases + ":0", "-o", "1").exit());
        assertEquals(0, jsanlock(with, "client", "add_lockspace", "-s", "LS:2:" + leases + ":0", "-o", "1").exit());
        get(webOf(with).resolve("metrics"));
        String loadedPlain = Files.readString(plainLog);
        String loadedWith = Files.readString(withLog);
        assertThat(loadedWith).as("the check can see them").contains("io.prometheus.metrics.core")
                .contains("io.jsanlock.daemon.web.MetricsServer");
        assertThat(loadedPlain).contains("io.jsanlock.daemon.metrics.RenewalHeadroom")
                .doesNotContain("io.prometheus").doesNotContain("io.jsanlock.daemon.web.")
                .doesNotContain("io.jsanlock.daemon.metrics.PrometheusMetrics").doesNotContain("com.sun.net.httpserver");
    }
}
