package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.testkit.Async;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.testkit.Reference;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad storage through the daemon, reference sanlock 3.8.5 against the jsanlock daemon in
 * the same run: one python3-sanlock script runs against each (own directory and own
 * 4 MiB loop device each, same path lengths), every result is printed with the path
 * masked, and the two outputs must be equal line by line; afterwards the resource files
 * and the whole loop device must hold the same bytes (so nothing was written where the
 * reference writes nothing). Cases: a missing lockspace path, an acquire on files shorter
 * than the lease, writes and reads at and past the end of a block device, and reads whose
 * align/sector size is not the one on disk.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
// the second lane (TestLanes): side by side with the module's other classes, one such class at a time
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestLanes.REFERENCE_PARITY)
class StorageErrorParityTest {
    static final Path SANLOCK = Path.of("/usr/sbin/sanlock");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final long MiB = 1048576L;

    static final String SCRIPT = """
            import sanlock, sys
            d, dev = sys.argv[1], sys.argv[2]
            def show(name, f):
                try:
                    v = f()
                    print(name, repr(v).replace(d, "DIR").replace(dev, "DEV"))
                except sanlock.SanlockException as e:
                    print(name, "error", e.errno)
                sys.stdout.flush()
            M = 1 << 20
            show("add_lockspace missing path", lambda: sanlock.add_lockspace(b"LSM", 1, d + "/missing", 0, iotimeout=1))
            open(d + "/ls", "wb").truncate(M)
            show("write_lockspace", lambda: sanlock.write_lockspace(b"LS", d + "/ls", 0, iotimeout=1))
            show("add_lockspace", lambda: sanlock.add_lockspace(b"LS", 1, d + "/ls", 0, iotimeout=1))
            fd = sanlock.register()
            open(d + "/short", "wb").truncate(4096)
            show("acquire on a 4 KiB file", lambda: sanlock.acquire(b"LS", b"R", [(d + "/short", 0)], slkfd=fd))
            open(d + "/empty", "wb").close()
            show("acquire on an empty file", lambda: sanlock.acquire(b"LS", b"R", [(d + "/empty", 0)], slkfd=fd))
            open(d + "/res", "wb").truncate(16 * M)
            show("write_resource 512/1M", lambda: sanlock.write_resource(b"LS", b"R", [(d + "/res", 0)]))
            open(d + "/res4k", "wb").truncate(16 * M)
            show("write_resource 4K/8M", lambda: sanlock.write_resource(b"LS", b"R4", [(d + "/res4k", 0)], align=8 * M, sector=4096))
            for name, path, res in (("512/1M", "/res", b"R"), ("4K/8M", "/res4k", b"R4")):
                for a, s in ((None, None), (M, 512), (2 * M, None), (None, 4096), (8 * M, 4096), (8 * M, 512), (M, 4096)):
                    kw = {}
                    if a: kw["align"] = a
                    if s: kw["sector"] = s
                    what = "%s lease read as align %s sector %s" % (name, a, s)
                    show("read_resource, " + what, lambda: sanlock.read_resource(d + path, 0, **kw))
                    show("read_resource_owners, " + what,
                         lambda: sanlock.read_resource_owners(b"LS", res, [(d + path, 0)], **kw))
            for a, s in ((None, None), (2 * M, None), (None, 4096), (8 * M, 4096)):
                kw = {}
                if a: kw["align"] = a
                if s: kw["sector"] = s
                show("read_lockspace, 512/1M lockspace read as align %s sector %s" % (a, s),
                     lambda: sanlock.read_lockspace(d + "/ls", 0, **kw))
            for off in (3 * M, 4 * M, 5 * M):
                show("write_resource on the 4 MiB device at %d" % off, lambda: sanlock.write_resource(b"LS", b"D", [(dev, off)]))
                show("write_lockspace on the 4 MiB device at %d" % off, lambda: sanlock.write_lockspace(b"LD", dev, off, iotimeout=1))
            for off in (4 * M, 5 * M):
                show("read_resource on the 4 MiB device at %d" % off, lambda: sanlock.read_resource(dev, off))
                show("read_lockspace on the 4 MiB device at %d" % off, lambda: sanlock.read_lockspace(dev, off))
                show("read_resource_owners on the 4 MiB device at %d" % off,
                     lambda: sanlock.read_resource_owners(b"LS", b"D", [(dev, off)]))
            show("read_lockspace missing path", lambda: sanlock.read_lockspace(d + "/missing", 0))
            show("read_resource missing path", lambda: sanlock.read_resource(d + "/missing", 0))
            """;

    Path dir;
    Daemon jd;
    long refPid;
    final Map<String, Path> runDirs = new LinkedHashMap<>();
    final Map<String, String> loops = new LinkedHashMap<>();

    record Result(int exit, String out) {}

    static Result run(Path runDir, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Result(p.exitValue(), out);
    }

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isExecutable(SANLOCK), "reference sanlock missing at " + SANLOCK);
        assertTrue(Files.isExecutable(PYTHON), "python3 missing at " + PYTHON);
        dir = TempDirs.create("jsanlock-storage-errors");
        Files.writeString(dir.resolve("errors.py"), SCRIPT);
        for (String k : List.of("ref", "jsl")) {
            Files.createDirectories(dir.resolve(k));
            Path img = dir.resolve(k + ".img");
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(4 * MiB);
            }
            Result r = run(null, List.of("losetup", "-f", "--show", img.toString()));
            assertEquals(0, r.exit(), "losetup: " + r.out());
            loops.put(k, r.out().strip());
        }
        Path jRun = dir.resolve("jrun");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostX").withRunDir(jRun);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        jd = new Daemon(o, new EngineBackend(LeaseEngine.builder("hostX").build(), log), log, MonotonicClock.SYSTEM);
        jd.start();
        Path refRun = dir.resolve("rrun");
        refPid = Reference.startDaemon(refRun, "hostX");
        runDirs.put("ref", refRun);
        runDirs.put("jsl", jRun);
    }

    @AfterAll
    void stop() throws Exception {
        if (jd != null) {
            jd.shutdown();
        }
        if (refPid != 0) {
            Reference.kill(refPid);
        }
        for (String dev : loops.values()) {
            run(null, List.of("losetup", "-d", dev));
        }
    }

    @Test
    void badStorageAnswersAndBytesMatchTheReferenceDaemons() throws Exception {
        // the two runs go side by side: own daemon, own directory, own loop device each
        Map<String, java.util.concurrent.CompletableFuture<Result>> running = new LinkedHashMap<>();
        for (String k : runDirs.keySet()) {
            running.put(k, java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return run(runDirs.get(k), List.of(PYTHON.toString(), dir.resolve("errors.py").toString(),
                            dir.resolve(k).toString(), loops.get(k)));
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, Async.executor()));
        }
        Map<String, String> outs = new LinkedHashMap<>();
        for (String k : runDirs.keySet()) {
            Result r = running.get(k).get(150, TimeUnit.SECONDS);
            assertEquals(0, r.exit(), k + ":\n" + r.out());
            outs.put(k, r.out());
        }
        String ref = outs.get("ref");
        // the codes the issue lists, as the reference gives them in this run
        assertTrue(ref.contains("add_lockspace missing path error 19\n"), ref);
        assertTrue(ref.contains("acquire on a 4 KiB file error 90\n"), ref);
        assertTrue(ref.contains("write_resource on the 4 MiB device at 4194304 error 28\n"), ref);
        assertTrue(ref.contains("read_resource_owners, 512/1M lease read as align 2097152 sector None error 22\n"), ref);
        List<String> refLines = ref.lines().toList();
        List<String> mine = outs.get("jsl").lines().toList();
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < Math.max(refLines.size(), mine.size()); i++) {
            String a = i < refLines.size() ? refLines.get(i) : "(none)";
            String b = i < mine.size() ? mine.get(i) : "(none)";
            if (!a.equals(b)) {
                diffs.add("reference: " + a + "\n jsanlock: " + b);
            }
        }
        assertEquals("", String.join("\n", diffs));
        for (String f : List.of("res", "res4k")) {
            int sector = f.equals("res") ? 512 : 4096;
            assertArrayEquals(withoutRequestPad(Files.readAllBytes(dir.resolve("ref").resolve(f)), sector),
                    withoutRequestPad(Files.readAllBytes(dir.resolve("jsl").resolve(f)), sector), f);
        }
        byte[] refDev = Files.readAllBytes(dir.resolve("ref.img"));
        byte[] myDev = Files.readAllBytes(dir.resolve("jsl.img"));
        assertTrue(Arrays.equals(refDev, myDev), "the loop devices' bytes differ");
    }

    /**
     * Bytes 20-23 of the request record (sector 1): the reference leaves whatever its
     * buffer held there (ondisk.md: unused, writers should write zeros), jsanlock writes zeros.
     */
    static byte[] withoutRequestPad(byte[] area, int sector) {
        Arrays.fill(area, sector + 20, sector + 24, (byte) 0);
        return area;
    }
}
