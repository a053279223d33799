package io.jsanlock.dist.pyapi;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.dist.cli.DiskImage;
import io.jsanlock.dist.cli.Run;
import io.jsanlock.dist.cli.TestDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity of the whole python3-sanlock API, daemon against daemon: the case list of
 * {@code pyapi/sanlock_api_cases.py} (edge values real users hit: 512/4096 sectors, 1-8 MiB
 * aligns, offsets near 1 TiB on a sparse file, 48-byte and non-ASCII names and paths,
 * missing/short files, wrong align/sector, LVB sizes, ...) runs once against a reference
 * daemon and once against a jsanlock daemon, each with its own freshly made copy of the lease
 * files, and every case must give the same result (return value, or errno and message of the
 * exception) and the same bytes on disk. One dynamic test per case, named by the case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("slow") // the python API on both daemons, ~35 s
class PythonApiParityTest {
    /** The python that has python3-sanlock (Debian's package). */
    static final Path PYTHON = Path.of("/usr/bin/python3");

    record Case(String name, String calls, String result, String disk) {
    }

    /** One run of the driver: its cases by name, in order, and what it printed besides. */
    record DriverRun(List<String> api, Map<String, Case> cases, Run.Result raw) {
    }

    private final List<TestDaemon> daemons = new ArrayList<>();
    private DriverRun reference;
    private DriverRun ours;

    @BeforeAll
    void runTheCasesAgainstBothDaemons() throws IOException, URISyntaxException {
        if (!Files.isExecutable(PYTHON)) {
            throw new AssertionError(PYTHON + " missing (shared/peer/install.sh installs python3-sanlock)");
        }
        Path script = Path.of(getClass().getResource("/pyapi/sanlock_api_cases.py").toURI());
        Path dir = TempDirs.create("jsanlock-pyapi");
        TestDaemon ref = start(TestDaemon.Kind.REFERENCE, dir.resolve("run-ref"));
        TestDaemon js = start(TestDaemon.Kind.JSANLOCK, dir.resolve("run-jsl"));
        // Own threads, not the common pool: Run.cmd reads the driver's output on that pool,
        // which has a single thread on a two-core machine.
        try (var both = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var r = both.submit(() -> drive(script, ref.runDir, dir.resolve("ref")));
            var j = both.submit(() -> drive(script, js.runDir, dir.resolve("jsl")));
            reference = r.get();
            ours = j.get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError("driver run failed: " + e, e);
        }
    }

    private TestDaemon start(TestDaemon.Kind kind, Path runDir) {
        TestDaemon d = TestDaemon.start(kind, runDir, "hostA");
        daemons.add(d);
        return d;
    }

    @AfterAll
    void stopDaemons() {
        daemons.forEach(TestDaemon::close);
    }

    private static DriverRun drive(Path script, Path runDir, Path work) {
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // Each case has 30 s (the driver's own alarm); the whole run takes about 25 s on the reference.
        Run.Result r = Run.cmd(runDir, List.of(PYTHON.toString(), script.toString(), work.toString()), 900);
        List<String> api = List.of();
        Map<String, Case> cases = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("API") && f.length == 2) {
                api = List.of(f[1].split(","));
            } else if (f[0].equals("CASE") && f.length == 5) {
                cases.put(f[1], new Case(f[1], f[2], f[3], f[4]));
            }
        }
        // Both runs' lines are kept next to the test reports, for reading a difference whole.
        try {
            Path reports = Files.createDirectories(Path.of("target", "pyapi"));
            Files.writeString(reports.resolve(work.getFileName() + ".txt"), r.out() + "--- stderr\n" + r.err());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new DriverRun(api, cases, r);
    }

    /** The driver ran to its end on both daemons, with nothing on stderr (no traceback). */
    @Test
    void driverRanEveryCaseOnBothDaemons() {
        assertAll(
                () -> assertEquals(0, reference.raw.exit(), "driver on the reference daemon: " + reference.raw),
                () -> assertEquals("", reference.raw.err(), "driver on the reference daemon"),
                () -> assertEquals(0, ours.raw.exit(), "driver on the jsanlock daemon: " + ours.raw),
                () -> assertEquals("", ours.raw.err(), "driver on the jsanlock daemon"),
                () -> assertEquals(reference.cases.keySet(), ours.cases.keySet(), "cases run"));
    }

    /** Every public function of the sanlock module is called by at least one case. */
    @Test
    void everyFunctionOfTheModuleIsCovered() {
        assertTrue(reference.api.size() >= 23, "api list read from the module: " + reference.api);
        TreeSet<String> called = new TreeSet<>();
        reference.cases.values().forEach(c -> called.addAll(List.of(c.calls.split(","))));
        TreeSet<String> missing = new TreeSet<>(reference.api);
        missing.removeAll(called);
        assertEquals(new TreeSet<>(), missing, "functions of the sanlock module no case calls");
    }

    @TestFactory
    Stream<DynamicTest> sameResultAndSameBytesOnDisk() {
        assertTrue(reference.cases.size() > 300, "cases read from the reference run: " + reference.cases.size()
                + "\n" + reference.raw);
        return reference.cases.values().stream().map(ref -> DynamicTest.dynamicTest(ref.name, () -> {
            Case got = ours.cases.get(ref.name);
            assertNotNull(got, "no result from the jsanlock daemon's run (driver died?): " + ours.raw.err());
            assertAll(
                    () -> assertEquals(ref.result, got.result, "case '" + ref.name + "': result (reference / jsanlock)"),
                    () -> assertEquals("", DiskImage.diff(blocks(ref.disk), blocks(got.disk)),
                            "case '" + ref.name + "': bytes on disk differ (offset: reference / jsanlock)"));
        }));
    }

    private static final Pattern BLOCK = Pattern.compile("\"(\\d+)\": \"([0-9a-f]*)\"");

    /** The driver's {"offset": "hex"} as DiskImage's "offset: hex" lines. */
    private static String blocks(String json) {
        StringBuilder out = new StringBuilder();
        Matcher m = BLOCK.matcher(json);
        while (m.find()) {
            out.append(m.group(1)).append(": ").append(m.group(2)).append('\n');
        }
        if (out.isEmpty() && !json.equals("-") && !json.equals("{}")) {
            out.append("0: ").append(json).append('\n'); // an errno reading the file
        }
        return out.toString();
    }
}
