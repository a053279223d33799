package io.jsanlock.dist.cli;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.testkit.Async;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code bin/jsanlock client ...} reaches the daemon of a run directory named by
 * non-ASCII bytes, whatever the locale. The CLI connects through the JDK's unix
 * SocketChannel only where a java.nio.file.Path names the socket's exact bytes (the JDK
 * encodes a Path with the locale's charset), and through its FFM socket otherwise; and it
 * reads SANLOCK_RUN_DIR's bytes from the process's environment, not as the JVM decoded
 * them. A wrong byte anywhere makes the connect fail (-2), which these assertions see.
 *
 * <p>Not a parity test (the daemon's answers are not what is checked): the CLI must print
 * the status of the daemon it was pointed at, known by the host name it was given.
 */
@Tag("slow") // daemons started in byte-named run dirs under several locales (~10 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class RunDirBytesTest {
    private static final List<Map<String, String>> LOCALES = List.of(Map.of("LANG", "C"),
            Map.of("LANG", "C", "LC_ALL", "C.UTF-8"), Map.of());

    /** UTF-8 text (é) and bytes that are no text in any UTF-8 or ASCII locale (\xff). */
    private static final List<String> NAMES = List.of("run-\u00c3\u00a9", "run-\u00ff");

    @Test
    void theCliReachesTheReferenceDaemonInARunDirNamedByNonAsciiBytesInEveryLocale() throws IOException {
        Run.requireReference();
        Path base = TempDirs.create("jsanlock-rundir");
        for (String name : NAMES) {
            String runDir = base + "/" + name; // a byte string: one char per byte
            Run.Result started = bash(Map.of(), null, List.of("bash", Run.shared().resolve("peer/start-daemon.sh").toString(),
                    runDir, "rdhost"));
            assertEquals(0, started.exit(), "reference daemon did not start in " + runDir + ": " + started);
            String[] lines = started.out().strip().split("\n");
            long pid = Long.parseLong(lines[lines.length - 1].strip());
            try {
                for (Map<String, String> locale : LOCALES) {
                    Run.Result r = bash(locale, runDir, List.of(Run.JSANLOCK.toString(), "client", "status"));
                    String ctx = "client status with SANLOCK_RUN_DIR=" + ByteNamesParityTest.quote(runDir) + " " + locale + ": " + r;
                    assertEquals(0, r.exit(), ctx);
                    assertEquals("daemon rdhost", r.out().split("\n")[0], ctx);
                    assertEquals("", r.err(), ctx);
                }
            } finally {
                stop(pid);
            }
        }
        bash(Map.of(), null, List.of("rm", "-rf", base.toString()));
    }

    @Test
    void theCliReachesTheJsanlockDaemonInAUtf8RunDirInEveryLocale() throws IOException {
        Run.requireReference();
        Path base = TempDirs.create("jsanlock-rundir");
        String runDir = base + "/" + NAMES.get(0);
        // The daemon names its socket by its run directory's text in UTF-8 (its side is not byte-exact
        // yet, see the report of this change): started in a UTF-8 locale it binds the right bytes.
        Map<String, String> utf8 = LOCALES.get(1);
        check(bash(utf8, null, List.of("mkdir", "-p", runDir)));
        ProcessBuilder pb = builder(utf8, runDir, List.of(Run.JSANLOCK.toString(), "daemon", "-D", "-w", "0", "-l", "0",
                "-h", "0", "-U", "root", "-G", "root", "-e", "jdhost"));
        pb.redirectErrorStream(true).redirectOutput(base.resolve("daemon.log").toFile());
        Process daemon = pb.start();
        try {
            boolean up = Run.await(30_000, () -> !daemon.isAlive()
                    || bash(utf8, runDir, List.of(Run.SANLOCK.toString(), "client", "status")).exit() == 0);
            assertEquals(true, up && daemon.isAlive(), "bin/jsanlock daemon did not start in " + ByteNamesParityTest.quote(runDir)
                    + ": " + Files.readString(base.resolve("daemon.log"), StandardCharsets.ISO_8859_1));
            for (Map<String, String> locale : LOCALES) {
                Run.Result r = bash(locale, runDir, List.of(Run.JSANLOCK.toString(), "client", "status"));
                String ctx = "client status " + locale + ": " + r;
                assertEquals(0, r.exit(), ctx);
                assertEquals("daemon jdhost", r.out().split("\n")[0], ctx);
                assertEquals("", r.err(), ctx);
            }
        } finally {
            daemon.destroy();
            try {
                if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            } catch (InterruptedException e) {
                daemon.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        bash(Map.of(), null, List.of("rm", "-rf", base.toString()));
    }

    private static void stop(long pid) {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }

    private static void check(Run.Result r) {
        if (r.exit() != 0) {
            throw new AssertionError("setup command failed: " + r);
        }
    }

    /** Runs byte-string arguments through bash with exactly {@code locale} and SANLOCK_RUN_DIR = the bytes of {@code runDir}. */
    private static Run.Result bash(Map<String, String> locale, String runDir, List<String> byteArgs) {
        try {
            Process p = builder(locale, runDir, byteArgs).start();
            p.getOutputStream().close();
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Async.executor());
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Async.executor());
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + byteArgs);
            }
            return new Run.Result(p.exitValue(), out.get(), err.get());
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError("cannot run " + byteArgs + ": " + e, e);
        }
    }

    private static ProcessBuilder builder(Map<String, String> locale, String runDir, List<String> byteArgs) {
        StringBuilder script = new StringBuilder();
        if (runDir != null) {
            script.append("export SANLOCK_RUN_DIR=").append(ByteNamesParityTest.quote(runDir)).append("; ");
        }
        script.append("exec");
        for (String a : byteArgs) {
            script.append(' ').append(ByteNamesParityTest.quote(a));
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script.toString());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_") || k.equals("SANLOCK_RUN_DIR"));
        env.putAll(locale);
        return pb;
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
