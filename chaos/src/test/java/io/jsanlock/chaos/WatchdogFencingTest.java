package io.jsanlock.chaos;

import io.jsanlock.testkit.Async;
import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.testkit.Await;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.StateRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The renewal-failure chain on real processes, to its last link: jsanlock daemons with
 * {@code -w 1} on a watchdog stand-in ({@link WatchdogStandIn}, W = 60 s). Two hosts run
 * side by side (io_timeout 1, G 40):
 * <ul>
 * <li>host F holds a lease with a holder that ignores SIGTERM and has restricted SIGKILL;
 * its view of the disk (a loop device) turns read-only. Asserted timeline, from T = the
 * last successful renewal: recovery at T+8 (SIGTERM every second), kill deadline T+48
 * (SIGKILL, turned into SIGTERM by the restriction), petting stops at the expiry T+8, the
 * stand-in fires 60 s after the last keepalive (T+58 … T+68, plus the stand-in's wake-up
 * latency) and kills the host's process group — the holder included, which nothing else could stop;</li>
 * <li>host C runs clean for longer than W: keepalives every 10 s, never fired, and the
 * device is closed cleanly (disarmed) when the lockspace is removed.</li>
 * </ul>
 *
 * <p>It runs beside {@link HaFailoverTest} (its own loop device, lease files, daemons and
 * stand-ins; both are minutes of waiting, not CPU; never more than the two at once). The bounds
 * on the stand-in's firing already allow 5 s of wake-up latency for a loaded machine.
 */
@Tag("slow") // watchdog fencing waits out the watchdog's W = 60 s
@Execution(ExecutionMode.CONCURRENT)
class WatchdogFencingTest {
    @TempDir
    Path tmp;
    final List<Long> groups = new ArrayList<>();
    final List<WatchdogStandIn> standIns = new ArrayList<>();
    String loop;

    @AfterEach
    void tearDown() {
        for (long g : groups) {
            Procs.signalGroup(g, "KILL");
        }
        standIns.forEach(WatchdogStandIn::close);
        if (loop != null) {
            Procs.run("blockdev", "--setrw", loop);
            Procs.run("losetup", "-d", loop);
        }
    }

    static void init(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true);
        assertThat(io.jsanlock.cli.Main.run(args, ps, ps)).as(String.join(" ", args) + ": " + buf).isZero();
    }

    /** The kit's await, {@code seconds} of real time. */
    static void await(String what, long seconds, BooleanSupplier cond) {
        Await.await(what, Duration.ofSeconds(seconds), cond::getAsBoolean);
    }

    record Host(Path dir, Path runDir, Process daemon, WatchdogStandIn wd, Path log) {
        SanlockClient client() {
            return new SanlockClient(runDir);
        }
    }

    Host startHost(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path runDir = Files.createDirectories(dir.resolve("run"));
        Process[] p = new Process[1];
        WatchdogStandIn wd = new WatchdogStandIn(dir.resolve("watchdog"), 60, () -> p[0].pid(), null);
        standIns.add(wd);
        Path log = dir.resolve("daemon.log");
        p[0] = Procs.startInGroup(0, Procs.java(System.getProperty("java.class.path"), "io.jsanlock.daemon.DaemonMain",
                List.of("-D", "-w", "1", "-e", name)), Map.of("SANLOCK_RUN_DIR", runDir.toString(),
                "JSANLOCK_WATCHDOG_DEVICE", wd.device().toString()), log);
        groups.add(p[0].pid());
        Host h = new Host(dir, runDir, p[0], wd, log);
        await(name + " daemon answering", 60, () -> {
            try {
                h.client().version();
                return true;
            } catch (SanlockException e) {
                return false;
            }
        });
        return h;
    }

    /** Daemon log lines matching {@code regex}: (monotonic second, matcher). */
    static List<Matcher> logLines(Path log, String regex) throws IOException {
        Pattern p = Pattern.compile("^\\S+ \\S+ (\\d+) \\[\\d+\\]: .*" + regex);
        List<Matcher> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                out.add(m);
            }
        }
        return out;
    }

    @Test
    void watchdogFiresWhereFencingCannotCompleteAndNeverInACleanRun() throws Exception {
        CompletableFuture<Void> clean = CompletableFuture.runAsync(() -> {
            try {
                cleanHost();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, Async.executor());
        failingHost();
        clean.join();
    }

    private void failingHost() throws Exception {
        Path img = tmp.resolve("f.img");
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(2 << 20);
        }
        loop = Procs.output("losetup", "-f", "--show", img.toString());
        assertThat(loop).as("losetup (needs root)").startsWith("/dev/loop");
        init("direct", "init", "-s", "LSF:0:" + loop + ":0", "-o", "1");
        init("direct", "init", "-r", "LSF:R:" + loop + ":1048576");
        Host h = startHost("hostF");
        h.client().addLockspace(new Lockspace("LSF", 1, 0, new Disk(loop, 0)), 1, false);
        Path out = h.dir().resolve("holder.out");
        Process holder = Procs.startInGroup(h.daemon().pid(), Procs.java(System.getProperty("java.class.path"),
                "io.jsanlock.chaos.StubbornHolder", List.of(h.runDir().toString(), "LSF", "R", loop, "1048576")), Map.of(), out);
        await("holder holds the lease", 60, () -> read(out).contains("held lver 1"));
        await("a keepalive", 15, () -> !h.wd().keepalives().isEmpty());
        // the history asserted below needs a renewal after the join before the storage fails
        // (the holder can hold its lease before the first renewal after the join)
        await("a renewal after the join", 30, () -> {
            try {
                return h.client().renewal("LSF").records().size() >= 2;
            } catch (SanlockException e) {
                return false;
            }
        });

        assertThat(Procs.run("blockdev", "--setro", loop)).isZero();
        long failedAt = System.nanoTime() / 1_000_000_000L;
        await("recovery", 30, () -> {
            try {
                return !logLines(h.log(), "check_our_lease failed").isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
        // the renewal history shows it while the lockspace is in recovery: last record = T, failures after it
        Thread.sleep(1500);
        List<StateRecord> renewals = h.client().renewal("LSF").records();
        assertThat(renewals).as("renewal history").hasSizeGreaterThanOrEqualTo(2);
        StateRecord last = renewals.getLast();
        System.out.println("hostF renewal history: " + renewals.stream().map(StateRecord::text).toList());
        Matcher counts = Pattern.compile("next_timeouts=(\\d+) next_errors=(\\d+)").matcher(last.text());
        assertThat(counts.find()).isTrue();
        assertThat(Integer.parseInt(counts.group(1)) + Integer.parseInt(counts.group(2))).as("failed attempts after T").isGreaterThanOrEqualTo(3);
        await("the stand-in fires", 100, () -> !h.wd().fires().isEmpty());
        long fired = h.wd().fires().getFirst();
        await("the host's processes are gone", 10, () -> !holder.isAlive() && !h.daemon().isAlive());

        Matcher lost = logLines(h.log(), "check_our_lease failed, last success (\\d+) kill deadline (\\d+)").getFirst();
        long t = Long.parseLong(lost.group(2));
        long lostAt = Long.parseLong(lost.group(1));
        long killDeadline = Long.parseLong(lost.group(3));
        assertThat(t).as("T: last success before the disk failed").isLessThanOrEqualTo(failedAt);
        assertThat(lostAt - t).as("recovery at 8N").isBetween(8L, 9L);
        assertThat(last.data64()).as("last renewal record is T").isEqualTo(t);
        System.out.println("hostF timeline: T=" + t + " lost=" + lostAt + " killDeadline=" + killDeadline + " fired="
                + (h.wd().fires().getFirst() / 1_000_000_000L));
        assertThat(killDeadline).as("SIGKILL point 8N + G").isEqualTo(t + 48);
        List<Matcher> terms = logLines(h.log(), "kill " + holder.pid() + " sig 15 count (\\d+)");
        assertThat(terms).as("SIGTERM each second from 8N").hasSizeGreaterThanOrEqualTo(45);
        assertThat(Long.parseLong(terms.getFirst().group(1)) - t).isBetween(8L, 9L);
        assertThat(terms.stream().mapToLong(m -> Long.parseLong(m.group(1))).max().orElseThrow())
                .as("SIGKILL (restricted → SIGTERM) still sent after the kill deadline").isGreaterThanOrEqualTo(killDeadline);
        assertThat(logLines(h.log(), "kill " + holder.pid() + " sig 9")).as("restricted: never SIGKILL").isEmpty();
        assertThat(logLines(h.log(), "wdmd sanlock_LSF:1 expired at " + (t + 8))).as("petting stops at T + 8N").isNotEmpty();

        long lastKeepalive = h.wd().keepalives().getLast();
        // At least W: the stand-in's rule, exact on a manual clock in WatchdogStandInTest. At most
        // W + 5 s, not W + 0.1 s (its poll interval): on a loaded 2-core machine its polling
        // thread can wake seconds late, and the firing time is a fact about that thread, not about
        // the daemon; the daemon's side is the timeline asserted around this (T+8N, T+8N+W+1).
        assertThat((fired - lastKeepalive) / 1_000_000).as("fires W after the last keepalive").isBetween(60_000L, 65_000L);
        long firedSecond = fired / 1_000_000_000L;
        // the last keepalive is at most 10 s (a test interval) before the expiry T+8N: the firing is
        // between T+8N+W-10 and T+8N+W, plus the stand-in's wake-up latency allowed above (5 s)
        assertThat(firedSecond - t).as("fires between T+8N+W-10 and T+8N+W+5").isBetween(58L, 73L);
        assertThat(lastKeepalive / 1_000_000_000L).as("no keepalive after the expiry").isLessThan(t + 8 + 1);
    }

    private void cleanHost() throws Exception {
        Path img = tmp.resolve("c.img");
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(2 << 20);
        }
        init("direct", "init", "-s", "LSC:0:" + img + ":0", "-o", "1");
        init("direct", "init", "-r", "LSC:R:" + img + ":1048576");
        Host h = startHost("hostC");
        Lockspace ls = new Lockspace("LSC", 1, 0, new Disk(img.toString(), 0));
        h.client().addLockspace(ls, 1, false);
        long start = System.nanoTime();
        Resource r = Resource.of("LSC", "R", img.toString(), 1048576);
        try (Registration reg = h.client().register()) {
            while (System.nanoTime() - start < 72_000_000_000L) { // longer than W
                reg.acquire(r);
                Thread.sleep(2000);
                reg.release(r);
                Thread.sleep(1000);
            }
        }
        h.client().remLockspace(ls, false, false);
        await("the device closed cleanly", 5, () -> !h.wd().armed());
        assertThat(read(h.wd().device())).as("keepalives then the magic close").endsWith("V").startsWith(".");
        List<Long> ka = h.wd().keepalives();
        assertThat(ka.size()).as("a keepalive every 10 s for over 60 s").isGreaterThanOrEqualTo(7);
        for (int i = 1; i < ka.size(); i++) {
            assertThat((ka.get(i) - ka.get(i - 1)) / 1_000_000).as("keepalive gap").isLessThanOrEqualTo(11_500L);
        }
        Procs.signal(h.daemon().pid(), "TERM");
        await("clean daemon exit", 20, () -> !h.daemon().isAlive());
        assertThat(h.wd().fires()).as("a clean run never fires").isEmpty();
        assertThat(h.wd().armed()).isFalse();
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @SuppressWarnings("unused")
    private static <T> T unchecked(Callable<T> c) throws Exception {
        return c.call();
    }
}
