package io.jsanlock.dist.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.testkit.Await;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.jsanlock.dist.cli.Run;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The jsanlock daemon with {@code -w 1} and the real wdmd (Debian's, from the sanlock
 * package), sharing it with a reference sanlock daemon as two lease managers on one host
 * would. This machine kind has no watchdog device, so wdmd runs over a stand-in device
 * (resources/wdmd/fake-watchdog.c, preloaded) that logs each keepalive. Shown:
 * <ul>
 *   <li>jsanlock registers one connection per lockspace, named as the reference names it,
 *       with the refcount set and expire = renewal + 8·io_timeout in wdmd's own clock — the
 *       same as the reference's connection beside it — and re-arms it at every renewal;
 *   <li>a clean rem_lockspace disarms and closes its connection cleanly (wdmd sees no unclean
 *       close, keepalives go on);
 *   <li>a frozen jsanlock daemon (SIGSTOP) lets its connection expire, and wdmd stops petting
 *       the device — the host would be reset 60 s later — while the reference's connection is
 *       still live; killing the frozen daemon is an unclean close, and the petting stays
 *       stopped.
 * </ul>
 */
@Tag("slow") // wdmd fencing in real time
class WdmdInteropTest {
    private static final Path WDMD = Path.of("/usr/sbin/wdmd");
    private static final Path SANLOCK = Path.of("/usr/sbin/sanlock");
    private static final Path WDMD_SOCKET = Path.of("/run/wdmd/wdmd.sock");
    private static final Path WDMD_SHM = Path.of("/dev/shm/wdmd");
    private static final Path REPO = Path.of(System.getProperty("jsanlock.repo", "..")).toAbsolutePath();

    /** Under target/, not a temp dir: the daemons' and wdmd's logs are kept for a failed run. */
    private final Path tmp = Path.of("target", "wdmd-interop").toAbsolutePath();

    private final List<Process> started = new ArrayList<>();
    private Process wdmd;

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : started.reversed()) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (wdmd != null) {
            wdmd.destroy(); // SIGTERM: wdmd removes its shm marker on a clean stop
            if (!wdmd.waitFor(10, TimeUnit.SECONDS)) {
                wdmd.destroyForcibly();
                wdmd.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(WDMD_SHM); // left by an unclean stop; would stop the next wdmd starting
        }
    }

    /**
     * Not 1 as elsewhere: wdmd fails a connection's test (and stops petting) once its expiry is
     * nearer than its 10 s test interval, which at io_timeout 1 (expire = renewal + 8) is
     * always — with the reference daemon too. At 3 the margin is 24 - 6 = 18 s.
     */
    private static final String IO_TIMEOUT = "3";

    @Test
    void jsanlockArmsDisarmsAndExpiresThroughTheRealWdmdBesideTheReference() throws Exception {
        assertThat(WDMD).as("wdmd (Debian's sanlock package; run shared/peer/install.sh)").isExecutable();
        assertThat(SANLOCK).as("reference sanlock").isExecutable();
        assertThat(connectable()).as("no other wdmd may run during this test (it owns /run/wdmd)").isFalse();
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Path device = tmp.resolve("watchdog");
        Path keepalives = tmp.resolve("watchdog.log");
        startWdmd(device, keepalives);

        Path leases = tmp.resolve("leases");
        try (var f = new java.io.RandomAccessFile(leases.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        for (String ls : List.of("LSJ:0:" + leases + ":0", "LSK:0:" + leases + ":1048576", "LSR:0:" + leases + ":2097152")) {
            assertThat(run(null, SANLOCK.toString(), "direct", "init", "-o", IO_TIMEOUT, "-s", ls).exit()).isZero();
        }
        Path jRun = tmp.resolve("jsanlock-run");
        Path rRun = tmp.resolve("reference-run");
        Process jsanlock = startDaemon(jRun, List.of(REPO.resolve("bin/jsanlock").toString(), "daemon", "-D", "-w", "1",
                "-l", "0", "-h", "0", "-U", "root", "-G", "root", "-e", "wd-jsanlock"), Map.of());
        Process reference = startDaemon(rRun, List.of(SANLOCK.toString(), "daemon", "-D", "-w", "1", "-l", "0", "-h", "0",
                "-U", "root", "-G", "root", "-e", "wd-reference"), Map.of("LD_PRELOAD",
                Optional.ofNullable(System.getenv("SANLOCK_PEER_SHIM")).orElse("/usr/local/lib/sanlock-peer/rlimit-shim.so")));

        // The three joins at once (two on the jsanlock daemon, as a host joins its lockspaces
        // at boot): each waits 2 × io_timeout + 1 s in the delta lease, 7 s, and nothing here
        // depends on their order.
        try (var joins = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var lsj = joins.submit(() -> run(jRun, SANLOCK.toString(), "client", "add_lockspace", "-o", IO_TIMEOUT, "-s",
                    "LSJ:1:" + leases + ":0"));
            var lsk = joins.submit(() -> run(jRun, SANLOCK.toString(), "client", "add_lockspace", "-o", IO_TIMEOUT, "-s",
                    "LSK:1:" + leases + ":1048576"));
            var lsr = joins.submit(() -> run(rRun, SANLOCK.toString(), "client", "add_lockspace", "-o", IO_TIMEOUT, "-s",
                    "LSR:2:" + leases + ":2097152"));
            for (var join : List.of(lsj, lsk, lsr)) {
                assertThat(join.get().out()).contains("done 0");
            }
        }

        // The reference arms before add_lockspace returns; so must jsanlock (algorithms.md 2.2).
        WdmdState s = WdmdState.dump();
        WdmdState.Client j = s.client("sanlock_LSJ:1").orElseThrow(() -> new AssertionError("no jsanlock connection:\n" + s.text));
        WdmdState.Client k = s.client("sanlock_LSK:1").orElseThrow();
        WdmdState.Client r = s.client("sanlock_LSR:2").orElseThrow(() -> new AssertionError("no reference connection:\n" + s.text));
        assertThat(j.pid).as("registered from the jsanlock daemon's process").isEqualTo(jsanlock.pid());
        assertThat(r.pid).isEqualTo(reference.pid());
        for (WdmdState.Client c : List.of(j, k, r)) {
            assertThat(c.ref).as(c.name + " refcount set").isEqualTo(1);
            assertThat(c.expire - c.renewal).as(c.name + " expire = renewal + 8 io_timeout").isEqualTo(24);
            assertThat(s.now - c.renewal).as(c.name + " renewal on wdmd's clock (CLOCK_MONOTONIC), recent").isBetween(0L, 12L);
        }
        long firstRenewal = j.renewal;
        await(20, "jsanlock re-arms at its next renewal",
                () -> WdmdState.dump().client("sanlock_LSJ:1").map(c -> c.renewal > firstRenewal).orElse(false));
        double armed = monotonicSeconds();
        await(25, "wdmd pets the device while every connection is live", () -> lastKeepalive(keepalives) > armed);
        long unclean = WdmdState.dump().lastCloseUnclean;

        assertThat(run(jRun, SANLOCK.toString(), "client", "rem_lockspace", "-s", "LSJ:1:" + leases + ":0").out())
                .contains("rem_lockspace done 0");
        await(10, "LSJ's connection gone after rem_lockspace", () -> WdmdState.dump().client("sanlock_LSJ:1").isEmpty());
        double afterRemoval = monotonicSeconds();
        await(25, "keepalives go on after a clean removal", () -> lastKeepalive(keepalives) > afterRemoval);
        assertThat(WdmdState.dump().lastCloseUnclean).as("the device was never closed uncleanly").isEqualTo(unclean);

        // Freeze the jsanlock host: no more renewals, LSK's connection reaches its expiry.
        run(null, "kill", "-STOP", Long.toString(jsanlock.pid()));
        long expire = WdmdState.dump().client("sanlock_LSK:1").orElseThrow().expire;
        await(60, "wdmd has run a test round after LSK's expiry", () -> WdmdState.dump().now >= expire + 11);
        WdmdState frozen = WdmdState.dump();
        assertThat(lastKeepalive(keepalives)).as("no keepalive once a connection expired:\n" + frozen.text)
                .isLessThan(expire + 1.0);
        assertThat(frozen.lastKeepalive).isLessThanOrEqualTo(expire);
        assertThat(frozen.lastCloseUnclean).as("wdmd closed the device uncleanly: it fires").isGreaterThan(unclean);
        WdmdState.Client ref = frozen.client("sanlock_LSR:2").orElseThrow();
        assertThat(ref.expire).as("the reference's lockspace is live all along").isGreaterThan(frozen.now);

        // Killed while frozen: its connections close with the refcount set; nothing revives the petting.
        jsanlock.destroyForcibly();
        jsanlock.waitFor(10, TimeUnit.SECONDS);
        long killedAt = WdmdState.dump().now;
        await(30, "wdmd tested again after the kill", () -> WdmdState.dump().now >= killedAt + 11);
        assertThat(lastKeepalive(keepalives)).as("still no keepalive: the device fires").isLessThan(expire + 1.0);
    }

    private void startWdmd(Path device, Path keepalives) throws Exception {
        Files.createFile(device);
        Path shim = Path.of("target", "fake-watchdog.so").toAbsolutePath();
        Path source = Path.of("src", "test", "resources", "wdmd", "fake-watchdog.c").toAbsolutePath();
        Run.Result cc = run(null, "gcc", "-shared", "-fPIC", "-O2", "-o", shim.toString(), source.toString(), "-ldl");
        assertThat(cc.exit()).as("gcc fake-watchdog.c: " + cc.err()).isZero();
        Files.deleteIfExists(WDMD_SHM); // no wdmd runs (checked): a marker left by a killed one
        ProcessBuilder pb = new ProcessBuilder("setsid", WDMD.toString(), "-D", "-H", "0", "-S", "0", "-w", device.toString());
        pb.environment().putAll(Map.of("LD_PRELOAD", shim.toString(), "FAKE_WATCHDOG", device.toString(),
                "FAKE_WATCHDOG_LOG", keepalives.toString()));
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("wdmd.out").toFile());
        wdmd = pb.start();
        await(10, "wdmd listening", () -> !wdmd.isAlive() || connectable());
        assertThat(wdmd.isAlive()).as("wdmd started: " + Files.readString(tmp.resolve("wdmd.out"))).isTrue();
        assertThat(Files.readString(tmp.resolve("wdmd.out"))).contains("armed with fire_timeout 60");
    }

    private Process startDaemon(Path runDir, List<String> cmd, Map<String, String> env) throws Exception {
        Files.createDirectories(runDir);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        pb.environment().remove("JSANLOCK_WATCHDOG_DEVICE");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(runDir.resolve("daemon.log").toFile());
        Process p = pb.start();
        started.add(p);
        await(30, cmd.get(0) + " daemon up", () -> !p.isAlive() || run(runDir, SANLOCK.toString(), "client", "status").exit() == 0);
        assertThat(p.isAlive()).as("daemon started: " + Files.readString(runDir.resolve("daemon.log"))).isTrue();
        return p;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static boolean connectable() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(WDMD_SOCKET));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** CLOCK_MONOTONIC seconds (what wdmd and the stand-in device log use). */
    private static double monotonicSeconds() {
        return System.nanoTime() / 1e9;
    }

    private static double lastKeepalive(Path log) {
        try {
            double last = -1;
            for (String line : Files.readAllLines(log)) {
                if (line.endsWith(" keepalive")) {
                    last = Double.parseDouble(line.substring(0, line.indexOf(' ')));
                }
            }
            return last;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The kit's await, {@code seconds} of real time; a failure shows wdmd's state then. */
    private static void await(int seconds, String what, BooleanSupplier condition) {
        Await.await(() -> what + "\n" + WdmdState.dump().text, MonotonicClock.SYSTEM, Duration.ofSeconds(seconds),
                condition::getAsBoolean);
    }

    static Run.Result run(Path runDir, String... cmd) {
        return Run.cmd(runDir, List.of(cmd));
    }

    /** {@code wdmd -d}, parsed: the daemon line and one entry per client connection. */
    record WdmdState(String text, long now, long lastKeepalive, long lastCloseUnclean, List<Client> clients) {
        record Client(String name, long pid, int ref, long renewal, long expire) {}

        private static final Pattern HEAD = Pattern.compile("now (\\d+) last_keepalive (\\d+) last_closeunclean (\\d+)");
        private static final Pattern CLIENT = Pattern.compile(
                "client \\d+ name (\\S+) pid (\\d+) fd \\d+ dead \\d+ ref (\\d+) now \\d+ renewal (\\d+) expire (\\d+)");

        static WdmdState dump() {
            String text = run(null, WDMD.toString(), "-d").out();
            Matcher h = HEAD.matcher(text);
            if (!h.find()) {
                throw new AssertionError("unexpected wdmd -d output:\n" + text);
            }
            List<Client> clients = new ArrayList<>();
            Matcher c = CLIENT.matcher(text);
            while (c.find()) {
                clients.add(new Client(c.group(1), Long.parseLong(c.group(2)), Integer.parseInt(c.group(3)),
                        Long.parseLong(c.group(4)), Long.parseLong(c.group(5))));
            }
            return new WdmdState(text, Long.parseLong(h.group(1)), Long.parseLong(h.group(2)), Long.parseLong(h.group(3)), clients);
        }

        Optional<Client> client(String name) {
            return clients.stream().filter(c -> c.name.equals(name)).findFirst();
        }
    }
}
