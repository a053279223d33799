package io.jsanlock.chaos;

import io.jsanlock.lease.Timeouts;
import io.jsanlock.vm.VirError;
import io.jsanlock.vm.ha.HaRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The chaos harness's HA mode ({@code bin/chaos --ha}, docs/ha.md §5): a {@link HaCluster}
 * whose hosts fail at random, one at a time — SIGSTOP until the watchdog stand-in resets
 * the host, or kill -9 of the daemon and the stand-in's reset — then reboot; the harness
 * plays the operator, clearing a rebooted host's fencing blocks once its domains run
 * elsewhere, and now and then shuts a guest down from inside (it must not come back) and
 * starts it again by hand. A failure is <em>handled</em> when every domain of the failed
 * host runs again on another host, exactly one copy each, within host_dead_seconds + 60 s.
 * At the end: the {@link HistoryChecker} over the guests' journals (no two holders at once)
 * and every HA domain running exactly once.
 */
final class HaChaos {
    static final long HOST_DEAD = Timeouts.of(HaCluster.IO_TIMEOUT).hostDeadSeconds();
    static final long HANDLE_BOUND = 60;

    final Path work;
    final long seed;
    final int seconds;
    final PrintStream out;
    final HaCluster cluster;
    private final SplittableRandom rnd;
    int faultGap = 10;
    int failures;
    int handled;
    int cleanShutdowns;
    long worstTakeoverSeconds;
    final List<String> problems = new ArrayList<>();

    HaChaos(Path work, String classPath, long seed, int hosts, int domains, int seconds, PrintStream out) throws IOException {
        this.work = work;
        this.seed = seed;
        this.seconds = seconds;
        this.out = out;
        this.rnd = new SplittableRandom(seed);
        this.cluster = new HaCluster(work, classPath, hosts, 0, domains, out);
        // a failure every ~90 s is a storm by design here: the per-domain limit (5 per 300 s) stays
        // above what one host can be asked for (a domain moves at most once per failure)
        List<String> args = new ArrayList<>(cluster.agentArgs);
        args.addAll(List.of("--max-restarts", "5", "--restart-window", "300"));
        cluster.agentArgs = args;
    }

    /** Runs and checks; true when the run is clean. */
    boolean run() throws IOException, InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Thread hook = new Thread(cluster::close, "ha-chaos-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            cluster.setUp();
            for (int k = 0; k < cluster.domains; k++) {
                cluster.start(cluster.hosts.get(k % cluster.hosts.size()), k);
            }
            if (!await(30, () -> cluster.guests().size() == cluster.domains)) {
                problems.add("the " + cluster.domains + " domains did not all start");
                return false;
            }
            out.println("ha chaos: " + cluster.hosts.size() + " hosts, " + cluster.domains + " HA domains running (work dir " + work
                    + ")");
            // one failure needs about host_dead_seconds + a reboot: stop injecting when that no longer fits
            while (System.nanoTime() + (HOST_DEAD + HANDLE_BOUND + 30) * 1_000_000_000L < end) {
                if (rnd.nextInt(5) == 0) {
                    cleanShutdown();
                }
                failHost();
                Thread.sleep(1000L * (faultGap / 2 + rnd.nextInt(faultGap + 1)));
            }
            await(30, () -> placementOk(cluster.placement()));
        } finally {
            cluster.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        Map<Integer, List<Integer>> last = lastPlacement;
        HistoryChecker.Report r = HistoryChecker.check(work, cluster.domains);
        if (!placementOk(last)) {
            problems.add("at the end not every domain ran exactly once: " + last);
        }
        out.println("ha chaos: seed " + seed + ", " + seconds + " s, " + failures + " host failures, " + handled + " handled"
                + " (worst restart " + worstTakeoverSeconds + " s after the failure, host_dead_seconds " + HOST_DEAD + "), "
                + cleanShutdowns + " clean guest shutdowns not restarted, final placement " + last);
        out.println(r.summary());
        problems.forEach(p -> out.println("ha chaos: PROBLEM: " + p));
        return r.ok() && problems.isEmpty() && handled == failures;
    }

    private volatile Map<Integer, List<Integer>> lastPlacement = Map.of();

    private boolean placementOk(Map<Integer, List<Integer>> p) {
        lastPlacement = p;
        return p.size() == cluster.domains && p.values().stream().allMatch(l -> l.size() == 1);
    }

    /** One host fails (pause or daemon kill), its domains must move, then it reboots and is cleared. */
    private void failHost() throws IOException, InterruptedException {
        // a host running domains when there is one: its failure is what the agents must handle
        List<HaCluster.Host> busy = cluster.hosts.stream().filter(x -> !cluster.domainsOn(x).isEmpty()).toList();
        List<HaCluster.Host> pool = busy.isEmpty() ? cluster.hosts : busy;
        HaCluster.Host h = pool.get(rnd.nextInt(pool.size()));
        List<Integer> lost = cluster.domainsOn(h);
        boolean pause = rnd.nextBoolean();
        failures++;
        long t0 = System.nanoTime();
        int fires = h.watchdog.fires().size();
        if (pause) {
            cluster.pause(h, "ha chaos");
        } else {
            cluster.killDaemon(h);
        }
        boolean fired = await(HOST_DEAD + 10, () -> h.watchdog.fires().size() > fires);
        boolean moved = await(HOST_DEAD + HANDLE_BOUND, () -> {
            Map<Integer, List<Integer>> p = cluster.placement();
            return lost.stream().allMatch(k -> p.get(k).size() == 1 && p.get(k).get(0) != h.id);
        });
        long took = (System.nanoTime() - t0) / 1_000_000_000L;
        String what = "failure " + failures + ": host " + h.id + (pause ? " stopped" : " daemon killed") + ", domains " + lost;
        if (fired && moved) {
            handled++;
            worstTakeoverSeconds = Math.max(worstTakeoverSeconds, took);
            out.println("ha chaos: " + what + " running elsewhere after " + took + " s: " + cluster.placement());
        } else {
            problems.add(what + ": " + (fired ? "" : "watchdog did not fire; ") + (moved ? "" : "not all restarted elsewhere: "
                    + cluster.placement()));
        }
        cluster.reboot(h);
        // the operator: once the rebooted host's agent has blocked what it lost, clear it
        await(30, () -> lost.stream().allMatch(k -> !blocked(h, k).isEmpty()));
        for (int k : lost) {
            if (!blocked(h, k).isEmpty()) {
                cluster.jvirsh(h, "ha", HaCluster.domainName(k), "--clear");
            } else {
                problems.add(what + ": host " + h.id + " did not block " + HaCluster.domainName(k) + " after losing it");
            }
        }
    }

    private String blocked(HaCluster.Host h, int k) {
        try {
            return HaRecord.load(h.stateDir, HaCluster.domainName(k)).blocked();
        } catch (VirError e) {
            return "";
        }
    }

    /** A guest shuts down from inside: it must stay down; then the operator starts it again. */
    private void cleanShutdown() throws IOException, InterruptedException {
        List<HaCluster.GuestProc> gs = cluster.guests();
        if (gs.isEmpty()) {
            return;
        }
        HaCluster.GuestProc g = gs.get(rnd.nextInt(gs.size()));
        cluster.faults.log("POWEROFF", g.host(), 0, g.pid(), HaCluster.domainName(g.k()));
        cluster.poweroff(g.k());
        if (!await(20, () -> cluster.placement().get(g.k()).isEmpty())) {
            problems.add("domain " + g.k() + " did not shut down");
            return;
        }
        Thread.sleep(5000);
        if (!cluster.placement().get(g.k()).isEmpty()) {
            problems.add("domain " + g.k() + " was restarted after a clean shutdown: " + cluster.placement().get(g.k()));
            return;
        }
        cleanShutdowns++;
        HaCluster.Host to = cluster.hosts.get(rnd.nextInt(cluster.hosts.size()));
        out.println("ha chaos: " + HaCluster.domainName(g.k()) + " shut down cleanly on host " + g.host()
                + ", not restarted; the operator starts it on host " + to.id);
        String started = cluster.jvirsh(to, "start", HaCluster.domainName(g.k()));
        if (!started.contains("started")) {
            problems.add("operator start of " + HaCluster.domainName(g.k()) + " on host " + to.id + " failed: " + started.trim());
        }
        Files.deleteIfExists(HaGuest.poweroffFile(work, g.k()));
    }

    private static boolean await(long seconds, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(250);
        }
        return cond.getAsBoolean();
    }
}
