package io.jsanlock.dist.vm;

import io.jsanlock.testkit.Reference;
import io.jsanlock.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Two hosts on this machine for end-to-end tests: each a reference sanlock daemon in its own
 * run dir (SANLOCK_RUN_DIR) and a jvirsh state dir (JVIRSH_STATE_DIR). The reference sanlock
 * is the test oracle: when it is missing the test fails, it does not skip. {@link #close}
 * kills every daemon and guest it knows of and detaches loop devices.
 */
final class TwoHosts implements AutoCloseable {
    static final Path REPO = Path.of(System.getProperty("jsanlock.repo", ".")).toAbsolutePath();
    static final Path SHARED = shared();

    private final Path dir;
    private final List<Long> daemonPids = new ArrayList<>();
    private final List<String> loops = new ArrayList<>();

    TwoHosts(Path dir) {
        this.dir = dir;
    }

    private static Path shared() {
        String env = System.getenv("JSANLOCK_SHARED");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return Reference.shared();
    }

    Path dir() {
        return dir;
    }

    Path runDir(int host) {
        return dir.resolve("run" + host);
    }

    Path stateDir(int host) {
        return dir.resolve("Test" + host);
    }

    /** Which lease daemon plays the hosts. */
    enum DaemonKind { REFERENCE, JSANLOCK }

    /** Starts host {@code host}'s lease daemon of the given kind, named Test{host}. */
    void startDaemon(int host, DaemonKind kind) throws IOException {
        if (kind == DaemonKind.REFERENCE) {
            startDaemon(host);
            return;
        }
        Path run = runDir(host);
        Files.createDirectories(run);
        // bin/jsanlock execs java, so the pid we get is the daemon's.
        ProcessBuilder pb = new ProcessBuilder(REPO.resolve("bin/jsanlock").toString(), "daemon", "-D", "-w", "0", "-e",
                "Test" + host);
        pb.environment().put("SANLOCK_RUN_DIR", run.toString());
        pb.redirectErrorStream(true).redirectOutput(run.resolve("daemon.log").toFile());
        Process p = pb.start();
        daemonPids.add(p.pid());
        await("jsanlock daemon of host " + host, 20_000, () -> p.isAlive() && Files.exists(run.resolve("sanlock.sock"))
                && sanlock(host, "client", "status").exit() == 0);
    }

    /** Starts host {@code host}'s reference daemon, named Test{host}. */
    void startDaemon(int host) {
        Cmd.Result r = Cmd.run(dir, Map.of(), List.of("bash", SHARED.resolve("peer/start-daemon.sh").toString(),
                runDir(host).toString(), "Test" + host));
        if (r.exit() != 0) {
            throw new AssertionError("reference sanlock daemon did not start (is sanlock installed? "
                    + "run ../shared/peer/install.sh): " + r);
        }
        daemonPids.add(Long.parseLong(r.out().trim().lines().reduce((a, b) -> b).orElseThrow()));
    }

    Map<String, String> env(int host) {
        Map<String, String> env = new HashMap<>();
        env.put("SANLOCK_RUN_DIR", runDir(host).toString());
        env.put("JVIRSH_STATE_DIR", stateDir(host).toString());
        return env;
    }

    Cmd.Result jvirsh(int host, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(REPO.resolve("bin/jvirsh").toString());
        cmd.addAll(List.of(args));
        return Cmd.run(dir, env(host), cmd);
    }

    /** Runs the reference {@code sanlock} as host {@code host} (0 = no daemon needed). */
    Cmd.Result sanlock(int host, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("sanlock");
        cmd.addAll(List.of(args));
        return Cmd.run(dir, host == 0 ? Map.of() : env(host), cmd);
    }

    Dump dump(String device) {
        Cmd.Result r = sanlock(0, "direct", "dump", device);
        if (r.exit() != 0) {
            throw new AssertionError("direct dump failed: " + r);
        }
        return Dump.parse(r.out());
    }

    void writeConfig(int host, String text) throws IOException {
        Files.createDirectories(stateDir(host));
        Files.writeString(stateDir(host).resolve("qemu-sanlock.conf"), text);
    }

    /** Both hosts join {@code lockspace} on {@code device} with host ids 1 and 2, io_timeout 1, in parallel. */
    void joinBoth(String lockspace, String device) throws Exception {
        joinBoth(lockspace, device, 1);
    }

    /** As {@link #joinBoth(String, String)} with the given io_timeout (0 = the daemon's default). */
    void joinBoth(String lockspace, String device, int ioTimeout) throws Exception {
        java.util.concurrent.CompletableFuture<Cmd.Result> h1 = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> join(1, lockspace, device, ioTimeout), Cmd.ASYNC);
        Cmd.Result r2 = join(2, lockspace, device, ioTimeout);
        Cmd.Result r1 = h1.get();
        if (!r1.out().contains("done 0") || !r2.out().contains("done 0")) {
            throw new AssertionError("add_lockspace failed:\n" + r1 + "\n" + r2);
        }
    }

    private Cmd.Result join(int host, String lockspace, String device, int ioTimeout) {
        String ls = lockspace + ":" + host + ":" + device + ":0";
        return ioTimeout == 0 ? sanlock(host, "client", "add_lockspace", "-s", ls)
                : sanlock(host, "client", "add_lockspace", "-s", ls, "-o", Integer.toString(ioTimeout));
    }

    /** Attaches {@code file} to a loop device (detached in {@link #close}). */
    String attachLoop(Path file) {
        return attachLoop(file, false);
    }

    /** As {@link #attachLoop(Path)}, optionally with direct I/O to the file (no second page cache). */
    String attachLoop(Path file, boolean directIo) {
        List<String> cmd = new ArrayList<>(List.of("losetup", "-f", "--show"));
        if (directIo) {
            cmd.add("--direct-io=on");
        }
        cmd.add(file.toString());
        // losetup -f can lose a race for the same free device with another test class running
        // beside this one (surefire forks): it then fails, and a retry takes the next free one
        Cmd.Result r = Cmd.run(dir, Map.of(), cmd);
        for (int attempt = 1; r.exit() != 0 && attempt < 5; attempt++) {
            try {
                Thread.sleep(200L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = Cmd.run(dir, Map.of(), cmd);
        }
        if (r.exit() != 0) {
            throw new AssertionError("losetup failed: " + r);
        }
        String dev = r.out().trim();
        loops.add(dev);
        return dev;
    }

    /** The guest pid jvirsh recorded for a running domain on {@code host}. */
    Optional<Long> guestPid(int host, String domain) throws IOException {
        Path f = stateDir(host).resolve("run").resolve(domain + ".status");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(f)) {
            if (line.startsWith("pid=")) {
                return Optional.of(Long.parseLong(line.substring(4)));
            }
        }
        return Optional.empty();
    }

    /** True when {@code pid} has exited (a zombie counts: it holds no sockets any more). */
    static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Waits until {@code file} exists and contains every one of {@code texts}: for lines written
     * by another process after the event the test saw (a helper finishing, a daemon's log thread).
     */
    static void awaitFileContains(String what, long millis, Path file, String... texts) {
        await(what, millis, () -> {
            try {
                String content = Files.readString(file);
                return java.util.Arrays.stream(texts).allMatch(content::contains);
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The kit's await, {@code millis} of real time. */
    static void await(String what, long millis, BooleanSupplier cond) {
        Await.await(what, java.time.Duration.ofMillis(millis), cond::getAsBoolean);
    }

    @Override
    public void close() throws IOException {
        for (int h = 1; h <= 2; h++) {
            Path run = stateDir(h).resolve("run");
            if (Files.isDirectory(run)) {
                try (var s = Files.list(run)) {
                    for (Path p : s.filter(x -> x.toString().endsWith(".status")).toList()) {
                        String name = p.getFileName().toString().replace(".status", "");
                        guestPid(h, name).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }
        // The reference daemon ignores SIGTERM while it has lockspaces: these are throw-away
        // hosts on throw-away storage, so they are killed outright.
        for (long pid : daemonPids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long pid : daemonPids) {
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        }
        for (String loop : loops) {
            Cmd.run(dir, Map.of(), List.of("losetup", "-d", loop));
        }
    }
}
