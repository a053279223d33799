package io.jsanlock.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client most sanlock users run: libsanlock in C (libvirt, vdsm, lvmlockd), through
 * python3-sanlock, with the scripts of {@code ../shared/bench} (bench_seq.py, bench_par.py,
 * iofloor.py). They hard-code lockspace "bench" at offset 0 and resource {@code r<i>} at
 * {@code (i+1)} MiB, so this pass has storage of its own of the same kind (sparse file or
 * loop device), initialised with the reference's {@code sanlock direct init}; both daemons
 * join "bench" (jsanlock as host 1, the reference as host 2) and take turns on the same
 * resources, the order swapped every round. The I/O floor runs on a third device, as
 * iofloor.py overwrites lease areas.
 */
final class PythonClients {
    static final String PYTHON = "/usr/bin/python3";
    static final int RESOURCES = 100;
    private static final Pattern SEQ = Pattern.compile(
            "(\\d+) acquire\\+release/s\\s+acquire p50 ([0-9.]+)ms p99 ([0-9.]+)ms\\s+release p50 ([0-9.]+)ms p99 ([0-9.]+)ms");
    private static final Pattern PAR = Pattern.compile("([0-9.]+) acquires/s, failures (\\d+)");

    private PythonClients() {
    }

    /** The directory of the scripts: -Dbench.pythonScripts, else ../shared/bench beside the checkout. */
    static Path scripts() throws IOException {
        String p = System.getProperty("bench.pythonScripts");
        if (p != null && !p.isBlank()) {
            return BenchMain.requireFile(Path.of(p));
        }
        for (Path c : List.of(Path.of("../shared/bench"), Path.of("/work/shared/bench"))) {
            if (Files.exists(c.resolve("bench_seq.py"))) {
                return c;
            }
        }
        throw new IOException("the python3-sanlock scripts (bench_seq.py ...) are missing: set -Dbench.pythonScripts");
    }

    static void measure(BenchOptions o, boolean loop, List<DaemonProcess> both, String st, ResultTable t, PrintStream log)
            throws Exception {
        Path scripts = scripts();
        Path dir = Files.createDirectories(o.workDir().resolve(loop ? "py-loop" : "py-file"));
        try (BenchStorage leases = loop ? BenchStorage.loopDevice(dir, 0) : BenchStorage.sparseFile(dir, 0);
             BenchStorage floor = loop ? BenchStorage.loopDevice(Files.createDirectories(dir.resolve("floor")), 0)
                     : BenchStorage.sparseFile(Files.createDirectories(dir.resolve("floor")), 0)) {
            String dev = leases.path;
            log.println("bench: " + st + ": python3-sanlock pass on " + dev + " (floor on " + floor.path + ")");
            run(null, "sanlock", "direct", "init", "-s", "bench:0:" + dev + ":0", "-o", "1");
            for (int i = 0; i < RESOURCES; i++) {
                run(null, "sanlock", "direct", "init", "-r", "bench:r" + i + ":" + dev + ":" + (i + 1) * 1048576L);
            }
            for (DaemonProcess d : both) {
                run(d, "sanlock", "client", "add_lockspace", "-s", "bench:" + hostId(d) + ":" + dev + ":0", "-o", "1");
            }
            try {
                for (DaemonProcess d : both) {
                    python(d, scripts.resolve("bench_seq.py"), dev, RESOURCES, 1); // warm-up, both alike
                }
                for (int r = 0; r < o.rounds(); r++) {
                    for (DaemonProcess d : r % 2 == 0 ? both : both.reversed()) {
                        Matcher m = SEQ.matcher(python(d, scripts.resolve("bench_seq.py"), dev, RESOURCES, 2));
                        if (!m.find()) {
                            throw new IOException("bench_seq.py printed no figures");
                        }
                        t.add(st, Metric.PY_SEQ_OPS, d.kind, Double.parseDouble(m.group(1)));
                        t.add(st, Metric.PY_SEQ_ACQUIRE_P50, d.kind, Double.parseDouble(m.group(2)));
                        t.add(st, Metric.PY_SEQ_RELEASE_P50, d.kind, Double.parseDouble(m.group(4)));
                    }
                    for (DaemonProcess d : r % 2 == 0 ? both : both.reversed()) {
                        Matcher m = PAR.matcher(python(d, scripts.resolve("bench_par.py"), dev, RESOURCES, 32));
                        if (!m.find() || !m.group(2).equals("0")) {
                            throw new IOException("bench_par.py failed against " + d.kind.label);
                        }
                        t.add(st, Metric.PY_PAR_32, d.kind, Double.parseDouble(m.group(1)));
                    }
                    String f = python(null, scripts.resolve("iofloor.py"), floor.path, 200);
                    t.add(st, Metric.PY_FLOOR_OPS, DaemonKind.JSANLOCK, Double.parseDouble(f.strip()));
                }
                double fl = t.get(st, Metric.PY_FLOOR_OPS, DaemonKind.JSANLOCK).median();
                for (DaemonProcess d : both) {
                    t.add(st, Metric.PY_SEQ_VS_FLOOR, d.kind, fl / t.get(st, Metric.PY_SEQ_OPS, d.kind).median());
                }
            } finally {
                for (DaemonProcess d : both) {
                    run(d, "sanlock", "client", "rem_lockspace", "-s", "bench:" + hostId(d) + ":" + dev + ":0");
                }
            }
        }
    }

    private static int hostId(DaemonProcess d) {
        return d.kind == DaemonKind.JSANLOCK ? 1 : 2;
    }

    private static String python(DaemonProcess d, Path script, Object... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
        for (Object a : args) {
            cmd.add(a.toString());
        }
        return run(d, cmd.toArray(String[]::new));
    }

    /** Runs {@code cmd} (against daemon {@code d}'s run directory when not null); its stdout, or an IOException. */
    private static String run(DaemonProcess d, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        if (d != null) {
            env.put("SANLOCK_RUN_DIR", d.runDir.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
        return out;
    }
}
