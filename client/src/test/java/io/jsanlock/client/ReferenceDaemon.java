package io.jsanlock.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One reference sanlock 3.8.5 daemon (one host) in its own run directory, started with
 * shared/peer/start-daemon.sh and killed by pid in {@link #close}. Missing reference
 * tools make the test fail, never skip.
 */
final class ReferenceDaemon implements AutoCloseable {
    static final Path SANLOCK = Path.of("/usr/sbin/sanlock");

    final Path runDir;
    final long pid;

    private ReferenceDaemon(Path runDir, long pid) {
        this.runDir = runDir;
        this.pid = pid;
    }

    static Path shared() {
        // ../shared from the repo root; worktrees live elsewhere, so fall back to the shared checkout.
        String s = System.getProperty("jsanlock.shared");
        if (s != null && Files.isDirectory(Path.of(s, "peer"))) {
            return Path.of(s);
        }
        return Path.of("/work/shared");
    }

    static void requireReference() {
        assertTrue(Files.isExecutable(SANLOCK), "reference sanlock binary missing at " + SANLOCK + " (run shared/peer/install.sh)");
        assertTrue(Files.isExecutable(shared().resolve("peer/start-daemon.sh")), "shared/peer/start-daemon.sh missing");
    }

    static ReferenceDaemon start(Path runDir, String hostName) throws IOException, InterruptedException {
        requireReference();
        Process p = new ProcessBuilder(shared().resolve("peer/start-daemon.sh").toString(), runDir.toString(), hostName)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "start-daemon.sh hung");
        assertEquals(0, p.exitValue(), "start-daemon.sh failed: " + out);
        String[] lines = out.split("\n");
        return new ReferenceDaemon(runDir, Long.parseLong(lines[lines.length - 1].strip()));
    }

    SanlockClient client() {
        return new SanlockClient(runDir);
    }

    /** Runs the reference CLI against this daemon; returns stdout (exit status in {@link Result}). */
    Result cli(String... args) throws IOException, InterruptedException {
        return run(runDir, args);
    }

    record Result(int exit, String out) {}

    static Result run(Path runDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(SANLOCK.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sanlock " + args[0] + " hung");
        return new Result(p.exitValue(), out);
    }

    /** Initialises a lease file: lockspace LS at 0 (io_timeout 1) and the given resources at 1 MiB, 2 MiB, ... */
    static void initLeaseFile(Path file, String lockspace, String... resources) throws IOException, InterruptedException {
        requireReference();
        try (var f = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0);
            f.write(java.nio.ByteBuffer.wrap(new byte[1]), (long) (resources.length + 2) * 1048576L - 1);
        }
        Result r = run(null, "direct", "init", "-s", lockspace + ":0:" + file + ":0", "-o", "1");
        assertEquals(0, r.exit(), "direct init -s failed: " + r.out());
        for (int i = 0; i < resources.length; i++) {
            r = run(null, "direct", "init", "-r", lockspace + ":" + resources[i] + ":" + file + ":" + ((i + 1) * 1048576L));
            assertEquals(0, r.exit(), "direct init -r failed: " + r.out());
        }
    }

    @Override
    public void close() throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("reference daemon " + pid + " did not exit", e);
            }
        });
    }
}
