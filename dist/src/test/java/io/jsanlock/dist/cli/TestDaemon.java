package io.jsanlock.dist.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One lease daemon (one host) in its own run directory, for the end-to-end CLI tests.
 * {@link Kind#REFERENCE} is sanlock 3.8.5 started with shared/peer/start-daemon.sh;
 * {@link Kind#JSANLOCK} is {@code bin/jsanlock daemon} with the same options. The parity
 * tests are parameterised on the kind so both daemons are checked the same way. Stopped
 * by pid in {@link #close}.
 */
public final class TestDaemon implements AutoCloseable {
    public enum Kind { REFERENCE, JSANLOCK }

    final Kind kind;
    public final Path runDir;
    final long pid;

    private TestDaemon(Kind kind, Path runDir, long pid) {
        this.kind = kind;
        this.runDir = runDir;
        this.pid = pid;
    }

    public static TestDaemon start(Kind kind, Path runDir, String hostName) {
        Run.requireReference();
        if (kind == Kind.JSANLOCK) {
            return startJsanlock(runDir, hostName);
        }
        Run.Result r = Run.cmd(null, List.of("bash", Run.shared().resolve("peer/start-daemon.sh").toString(),
                runDir.toString(), hostName));
        if (r.exit() != 0) {
            throw new AssertionError("reference sanlock daemon did not start: " + r);
        }
        String[] lines = r.out().strip().split("\n");
        return new TestDaemon(kind, runDir, Long.parseLong(lines[lines.length - 1].strip()));
    }

    /** {@code bin/jsanlock daemon -D -w 0 -l 0 -h 0 -U root -G root -e NAME}, log in RUN_DIR/daemon.log. */
    private static TestDaemon startJsanlock(Path runDir, String hostName) {
        try {
            java.nio.file.Files.createDirectories(runDir);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        ProcessBuilder pb = new ProcessBuilder(Run.JSANLOCK.toString(), "daemon", "-D", "-w", "0", "-l", "0", "-h", "0",
                "-U", "root", "-G", "root", "-e", hostName);
        pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        pb.redirectErrorStream(true).redirectOutput(runDir.resolve("daemon.log").toFile());
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot start bin/jsanlock daemon: " + e, e);
        }
        TestDaemon d = new TestDaemon(Kind.JSANLOCK, runDir, p.pid());
        boolean up = Run.await(30_000, () -> !p.isAlive()
                || Run.sanlock(runDir, List.of("client", "status")).exit() == 0);
        if (!up || !p.isAlive()) {
            d.close();
            String log;
            try {
                log = java.nio.file.Files.readString(runDir.resolve("daemon.log"));
            } catch (java.io.IOException e) {
                log = "(no log)";
            }
            throw new AssertionError("bin/jsanlock daemon did not start:\n" + log);
        }
        return d;
    }

    @Override
    public void close() {
        // Throw-away hosts on throw-away storage: killed outright (the reference ignores
        // SIGTERM while it has lockspaces).
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("daemon " + pid + " did not exit", e);
            }
        });
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " daemon";
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
