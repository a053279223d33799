package io.jsanlock.dist.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One lease daemon (one host) in its own run directory, for the end-to-end CLI tests.
 * {@link Kind#REFERENCE} is sanlock 3.8.5 started with shared/peer/start-daemon.sh. The
 * jsanlock daemon is added as another kind when it lands on main; the parity tests are
 * parameterised on the kind so both daemons are checked the same way. Stopped by pid in
 * {@link #close}.
 */
final class TestDaemon implements AutoCloseable {
    enum Kind { REFERENCE }

    final Kind kind;
    final Path runDir;
    final long pid;

    private TestDaemon(Kind kind, Path runDir, long pid) {
        this.kind = kind;
        this.runDir = runDir;
        this.pid = pid;
    }

    static TestDaemon start(Kind kind, Path runDir, String hostName) {
        Run.requireReference();
        Run.Result r = Run.cmd(null, List.of("bash", Run.shared().resolve("peer/start-daemon.sh").toString(),
                runDir.toString(), hostName));
        if (r.exit() != 0) {
            throw new AssertionError("reference sanlock daemon did not start: " + r);
        }
        String[] lines = r.out().strip().split("\n");
        return new TestDaemon(kind, runDir, Long.parseLong(lines[lines.length - 1].strip()));
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
