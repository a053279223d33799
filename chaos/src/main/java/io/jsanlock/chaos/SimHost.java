package io.jsanlock.chaos;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One simulated host: a jsanlock daemon (leader of its own process group, watchdog on a
 * {@link WatchdogStandIn}) and its guest processes in the same group, with its own view
 * of the shared lease area (its own loop device over the common backing file, or the
 * file itself).
 */
final class SimHost {
    enum State { UP, PAUSED, DOWN }

    final int id;
    final Path dir;
    final Path runDir;
    final String dev;
    final String loop; // null when the lease area is a plain file
    private final ChaosRun run;
    final WatchdogStandIn watchdog;
    volatile State state = State.DOWN;
    volatile Process daemon;
    volatile long pgid;
    final List<Process> guests = new ArrayList<>();
    private int boots;
    private int guestSeq;

    /** A reference sanlock daemon (-w 0: no watchdog) instead of jsanlock's. */
    final boolean reference;

    SimHost(ChaosRun run, int id, String dev, String loop, boolean reference) throws IOException {
        this.run = run;
        this.reference = reference;
        this.id = id;
        this.dev = dev;
        this.loop = loop;
        this.dir = run.work.resolve("host" + id);
        this.runDir = dir.resolve("run");
        Files.createDirectories(runDir);
        this.watchdog = new WatchdogStandIn(dir.resolve("watchdog"), 60, () -> pgid,
                () -> run.faults.log("FIRE", id, 0, pgid, "watchdog stand-in reset the host"));
    }

    SanlockClient client() {
        return new SanlockClient(runDir);
    }

    /** Boots the host: a fresh daemon in a new process group; waits until it answers. */
    void boot() throws IOException, InterruptedException {
        // A real host boots after its old processes are gone: a daemon killed a moment ago may
        // still hold its run dir's lock file (or sit in uninterruptible I/O on a hung device),
        // and a new daemon started beside it exits at once (a CI run saw the reference do so).
        Process old = daemon;
        if (old != null && !old.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("host " + id + "'s previous daemon (pid " + old.pid() + ") has not exited 30 s after its reset");
        }
        boots++;
        Files.deleteIfExists(runDir.resolve("sanlock.sock"));
        Process p;
        if (reference) {
            // as ../shared/peer/start-daemon.sh starts it, but in a process group the guests can join
            Map<String, String> env = new HashMap<>(Map.of("SANLOCK_RUN_DIR", runDir.toString()));
            Path shim = Path.of("/usr/local/lib/sanlock-peer/rlimit-shim.so");
            if (Files.exists(shim)) {
                env.put("LD_PRELOAD", shim.toString());
            }
            p = Procs.startInGroup(0, List.of("sanlock", "daemon", "-D", "-w", "0", "-l", "0", "-h", "0", "-U", "root", "-G", "root",
                    "-e", "chaos-host" + id), env, dir.resolve("daemon." + boots + ".log"));
        } else {
            p = Procs.startInGroup(0, Procs.java(run.classPath, "io.jsanlock.daemon.DaemonMain",
                            List.of("-D", "-w", "1", "-e", "chaos-host" + id)),
                    Map.of("SANLOCK_RUN_DIR", runDir.toString(), "JSANLOCK_WATCHDOG_DEVICE", watchdog.device().toString()),
                    dir.resolve("daemon." + boots + ".log"));
        }
        daemon = p;
        pgid = p.pid();
        run.faults.log("BOOT", id, boots, p.pid(), reference ? "reference sanlock" : "jsanlock");
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IOException("host " + id + " daemon exited at boot (see " + dir + ")");
            }
            try {
                client().version();
                state = State.UP;
                return;
            } catch (SanlockException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("host " + id + " daemon did not answer within 30 s");
    }

    Lockspace lockspace() {
        return new Lockspace(ChaosRun.LOCKSPACE, id, 0, new Disk(dev, 0));
    }

    boolean joined() {
        try {
            return client().getLockspaces().stream().anyMatch(l -> l.name().equals(ChaosRun.LOCKSPACE) && l.flags() == 0);
        } catch (SanlockException e) {
            return false;
        }
    }

    boolean joining() {
        try {
            return client().getLockspaces().stream().anyMatch(l -> l.name().equals(ChaosRun.LOCKSPACE));
        } catch (SanlockException e) {
            return false;
        }
    }

    /** Joins (or rejoins) the lockspace with io_timeout 1; returns whether it is joined. */
    boolean join() {
        try {
            client().addLockspace(lockspace(), 1, false);
            run.faults.log("JOIN", id, 0, pgid, "");
            return true;
        } catch (SanlockException e) {
            return joined();
        }
    }

    synchronized void ensureGuests(int n) throws IOException {
        guests.removeIf(g -> !g.isAlive());
        while (guests.size() < n && daemon != null && daemon.isAlive()) {
            long seed = run.seed * 1_000_003L + id * 10_007L + guestSeq++;
            Process g = Procs.startInGroup(pgid, Procs.java(run.classPath, "io.jsanlock.chaos.Guest",
                            List.of(runDir.toString(), ChaosRun.LOCKSPACE, dev, run.work.toString(), Integer.toString(id),
                                    Long.toString(seed), Integer.toString(run.resources), reference ? "reference" : "jsanlock")),
                    Map.of(), dir.resolve("guests.log"));
            long gpid = g.pid();
            run.faults.log("GUEST", id, 0, gpid, "");
            g.onExit().thenRun(() -> run.faults.log("EXIT", id, 0, gpid, "status " + g.exitValue()));
            guests.add(g);
        }
    }

    synchronized List<Process> liveGuests() {
        guests.removeIf(g -> !g.isAlive());
        return List.copyOf(guests);
    }

    boolean daemonAlive() {
        Process d = daemon;
        return d != null && d.isAlive();
    }

    /** Everything of this host killed (end of run). */
    void destroy() {
        if (pgid > 0) {
            Procs.signalGroup(pgid, "CONT");
            Procs.signalGroup(pgid, "KILL");
        }
        watchdog.close();
    }
}
