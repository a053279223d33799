package io.jsanlock.bench;

import io.jsanlock.dist.LeaseDaemonProcess;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/bench-scale}: the scale benchmark of issue 18. Part A: one daemon with many
 * lockspaces and leases while clients churn ({@link ScaleDaemonRun}); part B: one lockspace
 * of 2,000 hosts ({@link ScaleHostsRun}). Prints a Markdown report.
 */
public final class ScaleMain {
    static final String USAGE = """
            usage: bin/bench-scale [--part daemon|hosts|both] [--reference] [--quick] [--io-timeout N]
                                   [--lockspaces L] [--leases H] [--leases-per-client K] [--churners C]
                                   [--seconds S] [--hosts N] [--hosts-seconds S] [--no-daemons] [--dir DIR] [--out FILE]
              full size (default): 100 lockspaces, 10,000 leases held by 625 registrations of 16, 32 churners
                for 240 s, io_timeout 10; then a 2,000-host lockspace for 120 s (~15 min, loads the machine)
              --reference: part A also against sanlock 3.8.5 (~8 min more)
              --quick: 4 lockspaces, 64 leases, 4 churners, 6 s, io_timeout 1; 20 hosts for 6 s
            """;

    /** Parsed options. */
    record Options(boolean daemonPart, boolean hostsPart, boolean reference, ScaleDaemonRun.Shape daemonShape,
                   ScaleHostsRun.Shape hostsShape, Path dir, Path out) {
        static Options parse(String[] args) {
            boolean daemonPart = true;
            boolean hostsPart = true;
            boolean reference = false;
            int lockspaces = 100;
            int leases = 10_000;
            int perClient = 16;
            int churners = 32;
            double seconds = 240;
            int ioTimeout = 10;
            int hosts = 2000;
            double hostsSeconds = 120;
            boolean daemons = true;
            Path dir = Path.of("/var/tmp/jsanlock-bench-scale-" + ProcessHandle.current().pid());
            Path out = null;
            List<String> a = Arrays.asList(args);
            for (int i = 0; i < a.size(); i++) {
                switch (a.get(i)) {
                    case "--part" -> {
                        String v = a.get(++i);
                        daemonPart = v.equals("daemon") || v.equals("both");
                        hostsPart = v.equals("hosts") || v.equals("both");
                        if (!daemonPart && !hostsPart) {
                            throw new IllegalArgumentException("--part takes daemon, hosts or both, not " + v);
                        }
                    }
                    case "--reference" -> reference = true;
                    case "--quick" -> {
                        lockspaces = 4;
                        leases = 64;
                        churners = 4;
                        seconds = 6;
                        ioTimeout = 1;
                        hosts = 20;
                        hostsSeconds = 6;
                    }
                    case "--io-timeout" -> ioTimeout = Integer.parseInt(a.get(++i));
                    case "--lockspaces" -> lockspaces = Integer.parseInt(a.get(++i));
                    case "--leases" -> leases = Integer.parseInt(a.get(++i));
                    case "--leases-per-client" -> perClient = Integer.parseInt(a.get(++i));
                    case "--churners" -> churners = Integer.parseInt(a.get(++i));
                    case "--seconds" -> seconds = Double.parseDouble(a.get(++i));
                    case "--hosts" -> hosts = Integer.parseInt(a.get(++i));
                    case "--hosts-seconds" -> hostsSeconds = Double.parseDouble(a.get(++i));
                    case "--no-daemons" -> daemons = false;
                    case "--dir" -> dir = Path.of(a.get(++i));
                    case "--out" -> out = Path.of(a.get(++i));
                    default -> throw new IllegalArgumentException("unknown option " + a.get(i));
                }
            }
            if (hosts < 3 || hosts > 2000) {
                throw new IllegalArgumentException("--hosts must be 3..2000 (512/1M lockspaces hold 2000 host_ids)");
            }
            if (lockspaces < 1 || leases < 1 || perClient < 1 || churners < 1 || ioTimeout < 1) {
                throw new IllegalArgumentException("--lockspaces, --leases, --leases-per-client, --churners, --io-timeout must be positive");
            }
            if ((leases + perClient - 1) / perClient + churners > 1000) {
                throw new IllegalArgumentException("more than 1000 registrations: both daemons have 1024 connection slots");
            }
            return new Options(daemonPart, hostsPart, reference,
                    new ScaleDaemonRun.Shape(lockspaces, leases, perClient, churners, 4, seconds, ioTimeout),
                    new ScaleHostsRun.Shape(hosts, ioTimeout, hostsSeconds, daemons), dir, out);
        }
    }

    private ScaleMain() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(USAGE); // asked for: on stdout, and not an error
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            System.err.println("bench-scale: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        LeaseDaemonProcess.Launchers launchers = new LeaseDaemonProcess.Launchers(
                BenchMain.split(System.getProperty("bench.jsanlockDaemon")), Path.of(System.getProperty("bench.referenceStart")));
        List<String> cli = BenchMain.split(System.getProperty("bench.jsanlockCli"));
        String report = WorkDir.use(o.dir(), List.of(args).contains("--dir"), "bench-scale", System.err,
                () -> run(o, launchers, cli, System.err));
        System.out.print(report);
        if (o.out() != null) {
            Files.writeString(o.out(), report);
        }
    }

    /** Runs the parts {@code o} asks for; the Markdown report. Progress goes to {@code log}. */
    static String run(Options o, LeaseDaemonProcess.Launchers launchers, List<String> cli, PrintStream log) throws Exception {
        String loadAtStart = BenchMain.loadavg();
        long t0 = System.nanoTime();
        Files.createDirectories(o.dir());
        List<ScaleDaemonRun.Result> daemonResults = new ArrayList<>();
        ScaleHostsRun.Result hosts = null;
        if (o.daemonPart()) {
            daemonResults.add(ScaleDaemonRun.run(DaemonKind.JSANLOCK, o.daemonShape(), o.dir(), launchers, log));
            if (o.reference()) {
                daemonResults.add(ScaleDaemonRun.run(DaemonKind.REFERENCE, o.daemonShape(), o.dir(), launchers, log));
            }
        }
        if (o.hostsPart()) {
            hosts = ScaleHostsRun.run(o.hostsShape(), o.dir(), launchers, cli, log);
        }
        StringBuilder b = new StringBuilder();
        b.append("jsanlock bench-scale ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(": machine ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs; /proc/loadavg at start ")
                .append(loadAtStart).append(", at end ").append(BenchMain.loadavg()).append("; run took ")
                .append((System.nanoTime() - t0) / 1_000_000_000L).append(" s\n\n");
        if (!daemonResults.isEmpty()) {
            b.append(ScaleReport.daemonTable(daemonResults)).append('\n');
        }
        if (hosts != null) {
            b.append(ScaleReport.hostsTable(hosts)).append('\n');
        }
        return b.toString();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        return a >= 100 || v == Math.rint(v) && a < 1e6 ? String.format(Locale.ROOT, "%.0f", v)
                : a >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
