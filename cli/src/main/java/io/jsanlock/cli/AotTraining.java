package io.jsanlock.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind {@code dist/target/jsanlock.aot}, the AOT cache that makes
 * {@code bin/jsanlock} start fast (JDK 25 {@code -XX:AOTCacheOutput}): runs the common
 * commands in-process so the classes they load (and their linkage) are recorded. Output
 * is discarded. Not part of the CLI.
 *
 * <p>Client actions run against {@code $SANLOCK_RUN_DIR} (set by the build to a scratch
 * directory) three times: before a daemon listens there (the "no daemon" error path),
 * against a jsanlock daemon this run starts there as a child process (the path users
 * run: connect, send, read the reply, print it), and after it stopped (its socket file
 * left, nobody listening). The daemon runs in its own JVM so that only the client side's
 * classes enter the cache: every class in it is loaded at each start of the CLI.
 * Direct actions run against a scratch file.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.ISO_8859_1);
        CliLogging.route(false, sink); // as Main does before a command
        Path dir = Files.createTempDirectory("jsanlock-aot");
        Path f = dir.resolve("leases");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(2L << 20);
        }
        String[][] runs = {
            {"help"}, {"version"}, {"client", "version"}, {"client", "status"}, {"client", "status", "-D"},
            {"client", "gets", "-h", "1"}, {"client", "host_status"}, {"client", "inquire", "-p", "1"},
            {"client", "add_lockspace", "-s", "LS:1:" + f + ":0"}, {"client", "acquire", "-r", "LS:R:" + f + ":1M", "-p", "1"},
            {"client", "read", "-r", "LS:R:" + f + ":1M"}, {"client", "lookup", "-x", "LS:" + f + ":0"},
            {"client", "foo"}, {"client", "status", "-x"},
            {"direct", "init", "-s", "LS:0:" + f + ":0"}, {"direct", "init", "-r", "LS:R:" + f + ":1M"},
            {"direct", "read_leader", "-s", "LS:1:" + f + ":0"}, {"direct", "dump", f.toString()},
            {"direct", "dump", f.toString(), "--json"}, {"client", "status", "--json"},
            {"direct", "map", "-s", "LS:0:" + f + ":0", "-r", "LS:R:" + f + ":1M", "-W", "0"},
            {"direct", "map", "-s", "LS:0:" + f + ":0", "-r", "LS:R:" + f + ":1M", "-W", "0", "--json"},
        };
        for (String[] run : runs) {
            try {
                Main.run(run, sink, sink);
            } catch (RuntimeException e) {
                // training only: a failing run still loaded what it needed
            }
        }

        String runDir = System.getenv("SANLOCK_RUN_DIR");
        Process daemon = runDir == null ? null : startDaemon(Path.of(runDir), dir);
        if (daemon != null) {
            // A join takes the delta lease's wait (~20 s): it runs beside the other commands,
            // which then see a lockspace being added, and ends when the daemon stops.
            Thread join = Thread.ofPlatform().start(() -> run(
                    new String[] {"client", "add_lockspace", "-s", "LS:1:" + f + ":0", "-o", "1"}, sink));
            waitForLockspace(sink);
            String[][] withDaemon = {
                {"client", "status"}, {"client", "status", "-D"}, {"client", "host_status"}, {"client", "host_status", "-s", "LS", "-D"},
                {"client", "gets", "-h", "1"}, {"client", "inquire", "-p", "1"}, {"client", "log_dump"}, {"client", "version"},
                {"client", "renewal", "-s", "LS"}, {"client", "inq_lockspace", "-s", "LS:1:" + f + ":0"},
                {"client", "acquire", "-r", "LS:R:" + f + ":1M", "-p", "1"}, {"client", "release", "-r", "LS:R:" + f + ":1M", "-p", "1"},
                {"client", "read", "-r", "LS:R:" + f + ":1M"}, {"client", "read", "-s", "LS:1:" + f + ":0"},
                {"client", "align", "-s", "LS:1:" + f + ":0"}, {"client", "set_config", "-s", "LS", "-u", "1"},
                {"client", "status"},
            };
            runAll(withDaemon, sink);
            // A daemon with a lockspace ignores SIGTERM, as sanlock's does: ask it to go.
            run(new String[] {"client", "shutdown", "-f", "1"}, sink);
            if (!daemon.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor();
            }
            join.join(10_000);
            runAll(new String[][] {{"client", "status"}, {"client", "host_status"}}, sink);
            // What our daemon left in the run directory (as sanlock's, it does not remove them).
            Files.deleteIfExists(Path.of(runDir, "sanlock.sock"));
            Files.deleteIfExists(Path.of(runDir, "sanlock.pid"));
        }
        Files.deleteIfExists(f);
        Files.deleteIfExists(dir.resolve("daemon.log"));
        Files.deleteIfExists(dir);
        // Through System.exit, as the CLI ends: Runtime.exit asks for a System.Logger, whose
        // classes are then in the cache too.
        System.exit(0);
    }

    private static void runAll(String[][] runs, PrintStream sink) {
        for (String[] run : runs) {
            run(run, sink);
        }
    }

    private static void run(String[] run, PrintStream sink) {
        try {
            Main.run(run, sink, sink);
        } catch (RuntimeException e) {
            // training only: a failing run still loaded what it needed
        }
    }

    /**
     * A jsanlock daemon in its own JVM listening in {@code runDir}, with no watchdog and no
     * log outside {@code scratch}; null (training without it) when it does not come up.
     */
    private static Process startDaemon(Path runDir, Path scratch) throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        Path socket = runDir.resolve("sanlock.sock");
        Files.deleteIfExists(socket);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:disable",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "daemon", "-D", "-w", "0", "-L", "-1", "-S", "-1", "-e", "aot-training"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(scratch.resolve("daemon.log").toFile());
        pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        pb.environment().put("JSANLOCK_LOG_FILE", scratch.resolve("daemon.log").toString());
        Process p = pb.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(socket) && Main.run(new String[] {"client", "version"}, new PrintStream(
                    new ByteArrayOutputStream(), true, StandardCharsets.ISO_8859_1), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.ISO_8859_1)) == 0) {
                return p;
            }
            Thread.sleep(50);
        }
        System.err.println("AotTraining: the daemon did not start; the cache is trained without it");
        p.destroyForcibly();
        p.waitFor();
        return null;
    }

    /** Until STATUS lists the lockspace being added (at most 10 s). */
    private static void waitForLockspace(PrintStream sink) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Main.run(new String[] {"client", "status"}, new PrintStream(out, true, StandardCharsets.ISO_8859_1), sink);
            if (out.toString(StandardCharsets.ISO_8859_1).contains("\ns LS:")) {
                return;
            }
            Thread.sleep(20);
        }
    }
}
