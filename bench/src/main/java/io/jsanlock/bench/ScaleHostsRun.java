package io.jsanlock.bench;

import io.jsanlock.base.ClockScheduler;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockException;
import io.jsanlock.direct.LeaseAreas;
import io.jsanlock.dist.LeaseDaemonProcess;
import io.jsanlock.engine.HostInfo;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.io.SectorStorage;
import io.jsanlock.lease.HostState;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Part B of the scale benchmark (issue 18): one lockspace of H hosts on one file. H − k hosts
 * are embedded {@link LeaseEngine}s in this JVM (one engine per host, as a host would run it,
 * all on one timer thread), each joining its own host_id and renewing its delta lease; the
 * other k hosts are real daemons joined to the same lockspace (jsanlock's as host H, the
 * reference's as host H − 1), so {@code host_status} is asked of a daemon that sees all H.
 * Joins are spread over one renewal interval (2N), as hosts that booted at different times
 * are: all joining in one second would put every renewal's 1 MiB read in the same second.
 * Measures whether every renewal was on time, renewal latency, {@code host_status} of the
 * engine API and of each daemon, and {@code direct dump} of the lockspace by both CLIs.
 */
final class ScaleHostsRun {
    static final String LOCKSPACE = "hosts";

    /** The shape of one run. */
    record Shape(int hosts, int ioTimeout, double seconds, boolean daemons) {
    }

    /** A timed command: median seconds over repetitions, and what it reported (hosts or lines). */
    record Timing(String what, double medianSeconds, double maxSeconds, int reported) {
    }

    /** What one run measured. */
    record Result(Shape shape, int engines, int joined, double joinSeconds, RenewalStats renewals, int lost,
                  ProcStats simulator, List<Timing> timings, double windowSeconds, double simulatorCpuSeconds) {
    }

    private ScaleHostsRun() {
    }

    static Result run(Shape shape, Path work, LeaseDaemonProcess.Launchers launchers, List<String> jsanlockCli, PrintStream log)
            throws Exception {
        Files.createDirectories(work);
        Path file = work.resolve("scale-hosts.img");
        Files.deleteIfExists(file);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.position(ScaleStorage.AREA - 1);
            ch.write(ByteBuffer.wrap(new byte[1]));
        }
        try (DirectFileStorage s = DirectFileStorage.open(file, DirectFileStorage.Access.READ_WRITE)) {
            LeaseAreas.initLockspace(s, 0, ScaleStorage.GEOMETRY, LOCKSPACE, 0, SectorStorage.NO_TIMEOUT);
        }
        int n = shape.ioTimeout();
        List<DaemonProcess> daemons = new ArrayList<>();
        List<LeaseEngine> engines = new ArrayList<>();
        ClockScheduler timer = new ClockScheduler(MonotonicClock.SYSTEM, "scale-hosts-timer");
        ProcStats self0 = ProcStats.of(ProcessHandle.current().pid());
        try {
            if (shape.daemons()) {
                daemons.add(DaemonProcess.start(DaemonKind.JSANLOCK, launchers, work.resolve("run-hosts-jsanlock"), "host" + shape.hosts()));
                daemons.add(DaemonProcess.start(DaemonKind.REFERENCE, launchers, work.resolve("run-hosts-reference"),
                        "host" + (shape.hosts() - 1)));
            }
            int engineCount = shape.hosts() - daemons.size();
            log.println("bench-scale: " + shape.hosts() + "-host lockspace on " + file + ": " + engineCount + " engines"
                    + (daemons.isEmpty() ? "" : " + jsanlock daemon (host " + shape.hosts() + ") + reference daemon (host "
                    + (shape.hosts() - 1) + ")") + ", io_timeout " + n + ", joins spread over " + 2 * n + " s");
            long j0 = System.nanoTime();
            for (int i = 0; i < daemons.size(); i++) {
                daemons.get(i).client.addLockspace(new Lockspace(LOCKSPACE, shape.hosts() - i, 0, new Disk(file.toString(), 0)), n, true);
            }
            List<CompletableFuture<LockspaceInfo>> joins = new ArrayList<>();
            long spreadNanos = TimeUnit.SECONDS.toNanos(2L * n);
            for (int h = 1; h <= engineCount; h++) {
                long due = j0 + spreadNanos * (h - 1) / engineCount;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // spreading the joins is the point: this is the schedule
                }
                LeaseEngine e = LeaseEngine.builder("host" + h).scheduler(timer).logCapacity(64).build();
                engines.add(e);
                joins.add(e.addLockspaceAsync(new LockspaceSpec(LOCKSPACE, h, file.toString(), 0), n));
            }
            int joined = 0;
            for (CompletableFuture<LockspaceInfo> f : joins) {
                try {
                    f.get(8L * n + 60 + 120, TimeUnit.SECONDS);
                    joined++;
                } catch (Exception e) {
                    log.println("bench-scale: a join failed: " + e.getMessage());
                }
            }
            for (int i = 0; i < daemons.size(); i++) {
                Lockspace ls = new Lockspace(LOCKSPACE, shape.hosts() - i, 0, new Disk(file.toString(), 0));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8L * n + 120);
                while (System.nanoTime() < deadline
                        && daemons.get(i).client.inqLockspace(ls, false) != io.jsanlock.client.LockspaceState.JOINED) {
                    Thread.sleep(500); // INQ is what clients poll
                }
            }
            double joinSeconds = (System.nanoTime() - j0) / 1e9;
            log.println("bench-scale: " + joined + "/" + engineCount + " engines joined in " + Math.round(joinSeconds) + " s; window "
                    + shape.seconds() + " s");
            long from = ScaleDaemonRun.monoSeconds();
            double cpu0 = ProcStats.of(ProcessHandle.current().pid()).cpuSeconds();
            ProcStats peak = self0;
            long end = System.nanoTime() + (long) (shape.seconds() * 1e9);
            while (System.nanoTime() < end) {
                Thread.sleep(1000); // a /proc sample a second
                peak = peak.max(ProcStats.of(ProcessHandle.current().pid()));
            }
            long to = ScaleDaemonRun.monoSeconds();
            double cpu = ProcStats.of(ProcessHandle.current().pid()).cpuSeconds() - cpu0;

            List<Timing> timings = new ArrayList<>();
            timings.add(engineHostStatus(engines.getFirst()));
            for (DaemonProcess d : daemons) {
                timings.add(clientHostStatus(d));
                List<String> cli = d.kind == DaemonKind.JSANLOCK ? jsanlockCli : List.of("sanlock");
                timings.add(wholeProcess(d.kind.label + ": `client host_status -s " + LOCKSPACE + "` (whole process)",
                        cli, List.of("client", "host_status", "-s", LOCKSPACE), d.runDir, 3));
            }
            String area = file + ":0:" + ScaleStorage.AREA;
            timings.add(wholeProcess("jsanlock: `direct dump` of the lockspace (whole process)", jsanlockCli,
                    List.of("direct", "dump", area), null, 3));
            timings.add(wholeProcess("sanlock 3.8.5: `direct dump` of the lockspace (whole process)", List.of("sanlock"),
                    List.of("direct", "dump", area), null, 3));

            RenewalStats rs = new RenewalStats();
            long now = ScaleDaemonRun.monoSeconds();
            int lost = 0;
            for (LeaseEngine e : engines) {
                try {
                    List<RenewalStats.Renewal> h = new ArrayList<>();
                    e.renewals(LOCKSPACE).forEach(r -> h.add(RenewalStats.Renewal.of(r)));
                    rs.add(h, from, to, now);
                    if (e.lockspaceState(LOCKSPACE).map(st -> st != io.jsanlock.engine.LockspaceState.JOINED).orElse(true)) {
                        lost++;
                    }
                } catch (SanlockException ex) {
                    lost++;
                }
            }
            log.println("bench-scale: " + rs.count() + " engine renewals in the window, " + lost + " lockspaces not joined at the end");
            return new Result(shape, engineCount, joined, joinSeconds, rs, lost, peak, timings, to - from, cpu);
        } finally {
            log.println("bench-scale: leaving the " + shape.hosts() + "-host lockspace");
            Workloads.forEachConcurrently(engines.size(), 16, i -> engines.get(i).close());
            timer.close();
            daemons.forEach(DaemonProcess::close);
            Files.deleteIfExists(file);
        }
    }

    /** {@link LeaseEngine#hosts} of one engine (get_hosts on the engine API), 20 times. */
    private static Timing engineHostStatus(LeaseEngine e) throws SanlockException {
        List<Double> t = new ArrayList<>();
        int live = 0;
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            List<HostInfo> hosts = e.hosts(LOCKSPACE);
            t.add((System.nanoTime() - t0) / 1e9);
            live = (int) hosts.stream().filter(h -> h.state() == HostState.LIVE).count();
        }
        return new Timing("engine API: `hosts()` of one host (live hosts seen)", Stats.median(t), Stats.max(t), live);
    }

    /** HOST_STATUS through the Java client (the request and its record stream), 10 times. */
    private static Timing clientHostStatus(DaemonProcess d) throws SanlockException {
        List<Double> t = new ArrayList<>();
        int hosts = 0;
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            hosts = d.client.hostStatus(LOCKSPACE).size();
            t.add((System.nanoTime() - t0) / 1e9);
        }
        return new Timing(d.kind.label + ": HOST_STATUS request, Java client (host records)", Stats.median(t), Stats.max(t), hosts);
    }

    /** Whole-process time of a CLI command (JVM start included for jsanlock), {@code reps} times; lines of output. */
    static Timing wholeProcess(String what, List<String> cli, List<String> args, Path runDir, int reps)
            throws IOException, InterruptedException {
        List<Double> t = new ArrayList<>();
        int lines = 0;
        Path out = Files.createTempFile("bench-scale", ".out");
        try {
            for (int i = 0; i < reps; i++) {
                List<String> cmd = new ArrayList<>(cli);
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                        .redirectError(ProcessBuilder.Redirect.PIPE).redirectInput(new File("/dev/null"));
                if (runDir != null) {
                    Map<String, String> env = pb.environment();
                    env.put("SANLOCK_RUN_DIR", runDir.toString());
                }
                long t0 = System.nanoTime();
                Process p = pb.start();
                String err = new String(p.getErrorStream().readAllBytes());
                int rc = p.waitFor();
                t.add((System.nanoTime() - t0) / 1e9);
                if (rc != 0) {
                    throw new IOException(String.join(" ", cmd) + " exited " + rc + ": " + err.strip());
                }
                lines = Files.readAllLines(out, java.nio.charset.StandardCharsets.ISO_8859_1).size();
            }
        } finally {
            Files.deleteIfExists(out);
        }
        return new Timing(what, Stats.median(t), Stats.max(t), lines);
    }
}
