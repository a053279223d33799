package io.jsanlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.format.Leader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference sanlock 3.8.5 for interop and parity tests — the one harness all modules use:
 * daemons started with shared/peer/start-daemon.sh (killed by pid), CLI runs, lease files and
 * loop devices. A missing reference makes the calling test FAIL, never skip.
 */
public final class Reference {
    public static final Path SANLOCK = Path.of("/usr/sbin/sanlock");

    private Reference() {
    }

    /** The shared directory (peer scripts, vectors): {@code -Djsanlock.shared}, else the nearest ancestor's {@code shared/}. */
    public static Path shared() {
        // ../shared from the repo root (the build passes it); a worktree elsewhere finds the
        // nearest ancestor directory that has a shared/ beside it.
        String s = System.getProperty("jsanlock.shared");
        if (s != null && Files.isDirectory(Path.of(s, "peer"))) {
            return Path.of(s);
        }
        for (Path a = Path.of("").toAbsolutePath(); a != null; a = a.getParent()) {
            if (Files.isDirectory(a.resolve("shared/peer"))) {
                return a.resolve("shared");
            }
        }
        throw new AssertionError("../shared (the reference sanlock's peer scripts and vectors) not found from "
                + Path.of("").toAbsolutePath() + " (set -Djsanlock.shared)");
    }

    public static void require() {
        assertThat(Files.isExecutable(SANLOCK)).as("reference sanlock binary at " + SANLOCK).isTrue();
        assertThat(Files.isExecutable(shared().resolve("peer/start-daemon.sh"))).as("shared/peer/start-daemon.sh").isTrue();
    }

    /** Exit status and combined stdout+stderr of one reference CLI run. */
    public record Result(int exit, String out) {}

    public static Result run(Path runDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(SANLOCK.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("sanlock " + String.join(" ", args) + " finished").isTrue();
        return new Result(p.exitValue(), out);
    }

    public static Result check(Path runDir, String... args) throws IOException, InterruptedException {
        Result r = run(runDir, args);
        assertThat(r.exit()).as("sanlock " + String.join(" ", args) + ": " + r.out()).isZero();
        return r;
    }

    /** Sparse lease file with lockspace LS (io_timeout 1) at 0 and resources at 1 MiB, 2 MiB, ... */
    public static void initLeases(String path, String ls, String... resources) throws IOException, InterruptedException {
        require();
        check(null, "direct", "init", "-s", ls + ":0:" + path + ":0", "-o", "1");
        for (int i = 0; i < resources.length; i++) {
            check(null, "direct", "init", "-r", ls + ":" + resources[i] + ":" + path + ":" + ((i + 1) * 1048576L));
        }
    }

    public static void createFile(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    /** Attaches {@code file} to a free loop device; detach with {@link #detachLoop}. */
    public static String attachLoop(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("losetup", "-f", "--show", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("losetup: " + out).isZero();
        assertThat(out).startsWith("/dev/loop");
        return out;
    }

    public static void detachLoop(String dev) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("losetup", "-d", dev).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    /** Reads a leader record straight from the storage (page cache bypass not needed for the assertions' polling). */
    public static Leader leader(String path, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(path, "r")) {
            byte[] b = new byte[512];
            f.seek(offset);
            f.readFully(b);
            return Leader.decode(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), 0);
        }
    }

    /** The dump row of the record at {@code offset}: offset, lockspace, name, timestamp, owner, gen[, lver]. */
    public static String[] dumpRow(String path, long offset) throws IOException, InterruptedException {
        Result r = check(null, "direct", "dump", path);
        for (String line : r.out().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 6 && f[0].matches("\\d+") && Long.parseLong(f[0]) == offset) {
                return f;
            }
        }
        throw new AssertionError("no dump row at " + offset + " in:\n" + r.out());
    }

    /**
     * Starts one reference daemon (one host) in {@code runDir} with shared/peer/start-daemon.sh and
     * returns its pid; stop it with {@link #kill}. For tests that keep the pid in a field; others use
     * {@link Daemon#start}.
     */
    public static long startDaemon(Path runDir, String host) throws IOException, InterruptedException {
        require();
        Process p = new ProcessBuilder(shared().resolve("peer/start-daemon.sh").toString(), runDir.toString(), host)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("start-daemon.sh finished").isTrue();
        assertThat(p.exitValue()).as("start-daemon.sh: " + out).isZero();
        String[] lines = out.split("\n");
        return Long.parseLong(lines[lines.length - 1].strip());
    }

    /** Kills the process {@code pid} (a reference daemon this test started) and waits until it is gone. */
    public static void kill(long pid) {
        if (pid == 0) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroyForcibly();
            // The daemon detached itself (its parent is pid 1), so it is not our child: once dead
            // it stays a zombie until pid 1 reaps it, which can take a while; a zombie has closed
            // its files and socket, so it counts as gone. onExit() would wait for the reaping.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String state = processState(pid);
            while (!state.isEmpty() && !state.equals("Z")) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("reference daemon " + pid + " did not exit 10 s after SIGKILL (state "
                            + state + ")");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for reference daemon " + pid, e);
                }
                state = processState(pid);
            }
        });
    }

    /** The state letter of process {@code pid} from /proc (R, S, D, Z, ...), or "" once it is gone. */
    static String processState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // pid (comm) STATE ...: comm may hold spaces and parentheses, so split after the last ')'
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Creates (or truncates) a sparse lease file and initialises it with the reference: lockspace
     * {@code ls} (io_timeout 1) at 0 and {@code resources} at 1 MiB, 2 MiB, ...
     */
    public static void initLeaseFile(Path file, String ls, String... resources) throws IOException, InterruptedException {
        require();
        try (var f = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0);
            f.write(ByteBuffer.wrap(new byte[1]), (long) (resources.length + 2) * 1048576L - 1);
        }
        initLeases(file.toString(), ls, resources);
    }

    /** One reference daemon (one host). */
    public static final class Daemon implements AutoCloseable {
        public final Path runDir;
        public final long pid;
        private final List<Process> holders = new ArrayList<>();

        private Daemon(Path runDir, long pid) {
            this.runDir = runDir;
            this.pid = pid;
        }

        public static Daemon start(Path runDir, String host) throws IOException, InterruptedException {
            require();
            return new Daemon(runDir, startDaemon(runDir, host));
        }

        public Result cli(String... args) throws IOException, InterruptedException {
            return run(runDir, args);
        }

        public void join(String ls, long hostId, String path) throws IOException, InterruptedException {
            Result r = cli("client", "add_lockspace", "-o", "1", "-s", ls + ":" + hostId + ":" + path + ":0");
            assertThat(r.out()).as(r.out()).contains("add_lockspace_timeout done 0");
        }

        /** Starts {@code sanlock client command -r RES -c /bin/sleep 300}: holds RES while it runs. */
        public Process hold(String res) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(SANLOCK.toString(), "client", "command", "-r", res, "-c", "/bin/sleep",
                    "300").redirectErrorStream(true);
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
            Process p = pb.start();
            holders.add(p);
            return p;
        }

        public void signal(String sig) throws IOException, InterruptedException {
            new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        }

        public String log() throws IOException {
            Path p = runDir.resolve("daemon.log");
            return Files.exists(p) ? Files.readString(p) : "";
        }

        @Override
        public void close() {
            for (Process p : holders) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (ProcessHandle.of(pid).isPresent()) {
                try {
                    signal("CONT"); // a stopped daemon (SIGSTOP tests) must run to die
                } catch (Exception e) {
                    // best effort: it may be running already
                }
            }
            kill(pid);
        }
    }
}
