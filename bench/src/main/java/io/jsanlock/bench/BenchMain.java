package io.jsanlock.bench;

import io.jsanlock.dist.LeaseDaemonProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bin/bench}: the jsanlock daemon and the reference sanlock daemon, on the same
 * storage in one run, driven by the same client (the Java client library), side by
 * side; prints a Markdown table (issue 7). Rounds alternate between the two daemons
 * so that a burst of load on the shared machine hits both.
 *
 * <p>Launchers come from system properties set by bin/bench: {@code bench.jsanlockDaemon}
 * (command, space-separated), {@code bench.jsanlockCli} (bin/jsanlock) and
 * {@code bench.referenceStart} (start-daemon.sh).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions o;
        try {
            o = BenchOptions.parse(args, split(System.getProperty("bench.jsanlockDaemon")),
                    split(System.getProperty("bench.jsanlockCli")), Path.of(System.getProperty("bench.referenceStart")));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        String loadAtStart = loadavg();
        long t0 = System.nanoTime();
        ResultTable t = WorkDir.use(o.workDir(), Arrays.asList(args).contains("--dir"), "bench", System.err,
                () -> run(o, System.err));
        String report = header(o) + "machine: " + Runtime.getRuntime().availableProcessors() + " CPUs; /proc/loadavg at start "
                + loadAtStart + ", at end " + loadavg() + "; run took " + (System.nanoTime() - t0) / 1_000_000_000L + " s\n\n"
                + t.markdown();
        System.out.print(report);
        if (o.out() != null) {
            Files.writeString(o.out(), report);
        }
    }

    static List<String> split(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("bin/bench sets -Dbench.jsanlockDaemon, -Dbench.jsanlockCli, -Dbench.referenceStart");
        }
        return Arrays.asList(s.strip().split("\\s+"));
    }

    /** The first three fields of /proc/loadavg (1, 5 and 15 minute load). */
    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String header(BenchOptions o) {
        return "jsanlock bench " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + ": " + o.resources() + " resources per daemon, " + o.rounds() + " rounds, parallel passes "
                + o.parallelSeconds() + " s; cells: median [min-max] over rounds\n\n";
    }

    /** Runs every measurement of {@code o}; progress goes to {@code log}. */
    static ResultTable run(BenchOptions o, java.io.PrintStream log) throws Exception {
        ResultTable t = new ResultTable(o.resources());
        Files.createDirectories(o.workDir());
        List<BenchStorage> storages = new ArrayList<>();
        Thread cleanup = new Thread(() -> storages.forEach(BenchStorage::close));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            if (o.file()) {
                Path d = Files.createDirectories(o.workDir().resolve("file"));
                storages.add(BenchStorage.sparseFile(d, o.resources()));
            }
            if (o.loop()) {
                Path d = Files.createDirectories(o.workDir().resolve("loop"));
                storages.add(BenchStorage.loopDevice(d, o.resources()));
            }
            for (BenchStorage s : storages) {
                log.println("bench: " + s.label + " " + s.path + ": initialising");
                s.initialise();
                measureStorage(o, s, t, log);
            }
            if (o.takeover()) {
                log.println("bench: takeover of a dead host's lease, all storages and both daemons at once (~75 s)");
                Map<String, Exception> failures = new ConcurrentHashMap<>();
                List<Thread> ts = new ArrayList<>();
                for (BenchStorage s : storages) {
                    for (DaemonKind k : DaemonKind.values()) {
                        ts.add(Thread.ofPlatform().start(() -> {
                            try {
                                t.add(s.label, Metric.TAKEOVER, k,
                                        Takeover.run(k, s, launchers(o), o.workDir().resolve("takeover")));
                            } catch (Exception e) {
                                failures.put(k.label + " on " + s.label, e);
                            }
                        }));
                    }
                }
                for (Thread th : ts) {
                    th.join();
                }
                failures.forEach((k, e) -> log.println("bench: takeover failed, " + k + ": " + e));
            }
        } finally {
            storages.forEach(BenchStorage::close);
            storages.clear();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down already: the hook does the cleanup
            }
        }
        return t;
    }

    private static LeaseDaemonProcess.Launchers launchers(BenchOptions o) {
        return new LeaseDaemonProcess.Launchers(o.jsanlockDaemon(), o.referenceStartScript());
    }

    private static void measureStorage(BenchOptions o, BenchStorage s, ResultTable t, java.io.PrintStream log)
            throws Exception {
        String st = s.label;
        log.println("bench: " + st + ": I/O floor");
        IoFloor.run(s, 10); // warm-up
        for (int r = 0; r < o.rounds(); r++) {
            t.add(st, Metric.FLOOR_OPS, DaemonKind.JSANLOCK, IoFloor.run(s, 100));
        }
        t.get(st, Metric.FLOOR_OPS, DaemonKind.REFERENCE);
        Path runs = o.workDir().resolve(st.startsWith("loop") ? "run-loop" : "run-file");
        try (DaemonProcess js = DaemonProcess.start(DaemonKind.JSANLOCK, launchers(o), runs.resolve("jsanlock"), "bench-js");
             DaemonProcess ref = DaemonProcess.start(DaemonKind.REFERENCE, launchers(o), runs.resolve("reference"), "bench-ref")) {
            List<DaemonProcess> both = List.of(js, ref);
            log.println("bench: " + st + ": add_lockspace x" + o.rounds());
            for (int round = 0; round < o.rounds(); round++) {
                boolean last = round + 1 == o.rounds();
                Workloads.forEachConcurrently(2, 2, i -> {
                    DaemonProcess d = both.get(i);
                    t.add(st, Metric.ADD_LOCKSPACE, d.kind, Workloads.addLockspace(d, Workloads.lockspace(s, d.kind, 1)));
                    if (!last) {
                        d.client.remLockspace(Workloads.lockspace(s, d.kind, 1), false, false);
                    }
                });
            }
            Thread.sleep(2000);
            for (DaemonProcess d : both) {
                t.add(st, Metric.RSS_IDLE, d.kind, d.rssMiB());
                log.println("bench: " + st + ": idle " + d.memoryBreakdown());
            }
            int seq = Math.min(100, o.resources());
            if (o.python()) {
                PythonClients.measure(o, s.label.startsWith("loop"), both, st, t, log);
            }
            log.println("bench: " + st + ": sequential acquire+release, " + seq + " resources x" + o.rounds());
            for (DaemonProcess d : both) {
                Workloads.sequential(d, s, Math.min(seq, 20)); // warm-up (JIT, caches) for both alike
            }
            for (int r = 0; r < o.rounds(); r++) {
                for (DaemonProcess d : r % 2 == 0 ? both : both.reversed()) {
                    Workloads.SequentialRound sr = Workloads.sequential(d, s, seq);
                    t.add(st, Metric.SEQ_ACQUIRE_P50, d.kind, Stats.percentile(sr.acquireMs(), 50));
                    t.add(st, Metric.SEQ_ACQUIRE_P99, d.kind, Stats.percentile(sr.acquireMs(), 99));
                    t.add(st, Metric.SEQ_RELEASE_P50, d.kind, Stats.percentile(sr.releaseMs(), 50));
                    t.add(st, Metric.SEQ_RELEASE_P99, d.kind, Stats.percentile(sr.releaseMs(), 99));
                    t.add(st, Metric.SEQ_OPS, d.kind, sr.opsPerSecond());
                }
            }
            double floor = t.get(st, Metric.FLOOR_OPS, DaemonKind.JSANLOCK).median();
            for (DaemonProcess d : both) {
                // cycle time / floor cycle time = floor rate / daemon rate
                t.add(st, Metric.SEQ_VS_FLOOR, d.kind, floor / t.get(st, Metric.SEQ_OPS, d.kind).median());
            }
            for (int c : o.clients()) {
                Metric m = c == 1 ? Metric.PAR_1 : c == 8 ? Metric.PAR_8 : Metric.PAR_32;
                log.println("bench: " + st + ": " + c + " parallel clients over " + o.resources() + " resources x" + o.rounds());
                for (int r = 0; r < o.rounds(); r++) {
                    for (DaemonProcess d : r % 2 == 0 ? both : both.reversed()) {
                        t.add(st, m, d.kind, Workloads.parallel(d, s, c, o.resources(), o.parallelSeconds()));
                    }
                }
            }
            log.println("bench: " + st + ": RSS with " + o.resources() + " leases held");
            for (DaemonProcess d : both) {
                t.add(st, Metric.RSS_1000, d.kind, Workloads.rssWithHeld(d, s, o.resources(), log));
            }
            for (DaemonProcess d : both) {
                d.client.remLockspace(Workloads.lockspace(s, d.kind, 1), false, false);
            }
        }
        log.println("bench: " + st + ": direct dump x" + Math.max(3, o.rounds()));
        for (int r = 0; r < Math.max(3, o.rounds()); r++) {
            t.add(st, Metric.DUMP, DaemonKind.JSANLOCK, DumpTiming.run(o.jsanlockCli(), s));
            t.add(st, Metric.DUMP, DaemonKind.REFERENCE, DumpTiming.run(List.of("sanlock"), s));
        }
    }

    static Path requireFile(Path p) throws IOException {
        if (!Files.exists(p)) {
            throw new IOException(p + " does not exist");
        }
        return p;
    }
}
