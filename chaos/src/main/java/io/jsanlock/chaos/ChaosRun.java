package io.jsanlock.chaos;

import io.jsanlock.base.SanlockException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One chaos run: N hosts over one lease area, guests taking turns on R exclusive
 * leases, faults injected at random (seeded), then the {@link HistoryChecker} over the
 * journals. Every kind of fault is injected at least once (in a shuffled first round)
 * before the choice becomes random; a host has at most one fault at a time and at
 * least one host is always left alone, so leases keep changing hands.
 */
public final class ChaosRun {
    static final String LOCKSPACE = "chaos";
    static final long MIB = 1L << 20;

    final Path work;
    final String classPath;
    final long seed;
    final int resources;
    final int hostCount;
    final int guestsPerHost;
    final int seconds;
    final boolean useLoop;
    /** Mean seconds between faults once every kind has been injected. */
    int faultGap = 10;
    /** The last this many hosts run the reference sanlock daemon (no watchdog: -w 0). */
    int referenceHosts = 0;
    final Journal faults;
    final PrintStream out;
    private final SplittableRandom rnd;
    private final List<SimHost> hosts = new ArrayList<>();
    private final List<String> loops = new ArrayList<>();
    private volatile FaultTally tally = new FaultTally(java.util.EnumSet.noneOf(FaultKind.class), 0);
    private final AtomicBoolean ending = new AtomicBoolean();

    public ChaosRun(Path work, String classPath, long seed, int hosts, int guestsPerHost, int resources, int seconds,
                    boolean useLoop, PrintStream out) throws IOException {
        this.work = work;
        this.classPath = classPath;
        this.seed = seed;
        this.hostCount = hosts;
        this.guestsPerHost = guestsPerHost;
        this.resources = resources;
        this.seconds = seconds;
        this.useLoop = useLoop;
        this.out = out;
        this.rnd = new SplittableRandom(seed);
        Files.createDirectories(work.resolve("journal"));
        Files.createDirectories(work.resolve("guarded"));
        this.faults = new Journal(work.resolve("journal").resolve("faults.log"));
    }

    static String resourceName(int k) {
        return "r" + k;
    }

    static long resourceOffset(int k) {
        return (k + 1) * MIB;
    }

    static Path journalFile(Path work, int k) {
        return work.resolve("journal").resolve(resourceName(k) + ".log");
    }

    static Path recordFile(Path work, int k) {
        return work.resolve("guarded").resolve(resourceName(k) + ".rec");
    }

    /** Runs and checks; returns the checker's verdict. */
    public HistoryChecker.Report run() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        // Ctrl-C / SIGTERM of the harness still stops every host and detaches the loop devices
        Thread hook = new Thread(this::tearDown, "chaos-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            setUp();
            List<Thread> supervisors = new ArrayList<>();
            for (SimHost h : hosts) {
                supervisors.add(Thread.ofPlatform().daemon().name("supervise-" + h.id).start(() -> supervise(h)));
            }
            injectFaults(t0 + seconds * 1_000_000_000L);
            ending.set(true);
            for (Thread t : supervisors) {
                t.join(5000);
            }
        } finally {
            tearDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        HistoryChecker.Report r = HistoryChecker.check(work, resources);
        out.println("chaos: seed " + seed + ", " + hostCount + " hosts (" + referenceHosts + " reference sanlock), " + seconds
                + " s, faults " + injected() + (notApplied().isEmpty() ? "" : ", not applied " + notApplied()));
        out.println(r.summary());
        return r;
    }

    /** Faults that took effect, by kind. */
    Map<FaultKind, Integer> injected() {
        return tally.applied();
    }

    /** Kinds picked at least once without taking effect, with the last reason. */
    Map<FaultKind, String> notApplied() {
        return tally.notApplied();
    }

    private void applied(FaultKind kind) {
        tally.applied(kind);
    }

    private void notApplied(FaultKind kind, String reason) {
        tally.notApplied(kind, reason);
    }

    private void setUp() throws IOException, InterruptedException {
        Path backing = work.resolve("leases.img");
        try (var f = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength((resources + 1) * MIB);
        }
        List<String> devs = new ArrayList<>();
        for (int i = 1; i <= hostCount; i++) {
            String dev = backing.toString();
            if (useLoop) {
                dev = Procs.output("losetup", "-f", "--show", backing.toString());
                if (dev == null || !dev.startsWith("/dev/loop")) {
                    throw new IOException("losetup failed for " + backing + " (run as root, or use --file)");
                }
                loops.add(dev);
            }
            devs.add(dev);
        }
        init(new String[] {"direct", "init", "-s", LOCKSPACE + ":0:" + devs.get(0) + ":0", "-o", "1"});
        for (int k = 0; k < resources; k++) {
            init(new String[] {"direct", "init", "-r", LOCKSPACE + ":" + resourceName(k) + ":" + devs.get(0) + ":" + resourceOffset(k)});
            Files.write(recordFile(work, k), new byte[0]);
        }
        for (int i = 1; i <= hostCount; i++) {
            SimHost h = new SimHost(this, i, devs.get(i - 1), useLoop ? devs.get(i - 1) : null, i > hostCount - referenceHosts);
            hosts.add(h);
            h.boot();
        }
        List<Thread> joins = new ArrayList<>();
        for (SimHost h : hosts) {
            joins.add(Thread.ofVirtual().start(h::join));
        }
        for (Thread t : joins) {
            t.join();
        }
        if (useLoop && !BlkioThrottle.available()) {
            out.println("chaos: no cgroup-v1 blkio throttling at " + BlkioThrottle.ROOT + ": no slow/hung storage faults in this run");
        }
        out.println("chaos: " + hostCount + " hosts joined over " + (useLoop ? loops : devs.get(0)) + " (work dir " + work + ")");
    }

    static void init(String[] args) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true);
        int rc = io.jsanlock.cli.Main.run(args, ps, ps);
        if (rc != 0) {
            throw new IOException(String.join(" ", args) + " failed: " + buf);
        }
    }

    /** Keeps a host running: rejoins when its lockspace went away, restarts guests, reboots after a reset. */
    private void supervise(SimHost h) {
        while (!ending.get()) {
            try {
                switch (h.state) {
                    case UP -> {
                        if (!h.daemonAlive()) {
                            h.state = SimHost.State.DOWN;
                            continue;
                        }
                        if (!h.joining()) {
                            h.join();
                        }
                        if (h.joined()) {
                            h.ensureGuests(guestsPerHost);
                        }
                    }
                    case DOWN -> {
                        // a real host comes back only after its reset: wait for the watchdog to
                        // fire (or to have been closed cleanly) before booting again
                        if (!h.watchdog.armed()) {
                            Procs.signalGroup(h.pgid, "KILL");
                            h.boot();
                        }
                    }
                    case PAUSED -> { }
                }
                Thread.sleep(500);
            } catch (IOException e) {
                out.println("chaos: host " + h.id + ": " + e.getMessage());
                sleepQuietly(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void injectFaults(long end) throws InterruptedException {
        List<FaultKind> firstRound = new ArrayList<>(List.of(FaultKind.values()));
        if (!useLoop) {
            firstRound.remove(FaultKind.STORAGE_ERROR);
        }
        if (!slowStorage()) {
            firstRound.remove(FaultKind.STORAGE_SLOW);
        }
        Collections.shuffle(firstRound, new java.util.Random(rnd.nextLong()));
        List<Thread> running = new ArrayList<>();
        // long faults first, while there is time for their takeovers to happen
        firstRound.sort((a, b) -> Boolean.compare(b == FaultKind.PAUSE_LONG || b == FaultKind.KILL_DAEMON,
                a == FaultKind.PAUSE_LONG || a == FaultKind.KILL_DAEMON));
        Thread.sleep(5000);
        tally = new FaultTally(java.util.EnumSet.copyOf(firstRound), 3 * firstRound.size());
        while (System.nanoTime() < end - 10_000_000_000L) {
            if (firstRound.isEmpty()) {
                // a first-round fault that could not be applied (no guest to kill, a daemon that
                // stayed up after SIGTERM) is picked again, a bounded number of times
                firstRound.addAll(tally.retry());
            }
            FaultKind kind = !firstRound.isEmpty() ? firstRound.getFirst() : randomKind();
            boolean longFault = kind == FaultKind.PAUSE_LONG || kind == FaultKind.KILL_DAEMON;
            if (longFault && firstRound.isEmpty() && end - System.nanoTime() < 100_000_000_000L) {
                continue; // no time left for its takeover to be seen: pick another kind
            }
            // Reference hosts run without a watchdog (-w 0, as the test peers do): pausing one or
            // killing its daemon would let its guests outlive their leases (algorithms.md §6,
            // assumption 3), so those faults go to jsanlock hosts only.
            boolean needsWatchdog = kind == FaultKind.PAUSE_LONG || kind == FaultKind.PAUSE_SHORT || kind == FaultKind.KILL_DAEMON;
            SimHost h = pickHealthyHost(needsWatchdog);
            if (h == null) {
                Thread.sleep(1000);
                continue;
            }
            if (!firstRound.isEmpty()) {
                tally.taken(firstRound.removeFirst());
            }
            SimHost target = h;
            running.add(Thread.ofPlatform().daemon().name("fault-" + kind).start(() -> inject(kind, target)));
            Thread.sleep(firstRound.isEmpty() ? 1000L * faultGap / 2 + rnd.nextInt(1000 * faultGap + 1) : 3000 + rnd.nextInt(5000));
        }
        for (Thread t : running) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 1000));
        }
        // let the last takeovers and rejoins settle before stopping
        long settle = end - System.nanoTime();
        if (settle > 0) {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(settle));
        }
    }

    /** Slow/hung storage needs a loop device per host and cgroup-v1 blkio throttling. */
    private boolean slowStorage() {
        return useLoop && BlkioThrottle.available();
    }

    /** Weighted: the quick faults are common, the ones that take a host out for over a minute are rarer. */
    private FaultKind randomKind() {
        while (true) {
            int r = rnd.nextInt(14);
            FaultKind k = r < 1 ? FaultKind.PAUSE_LONG : r < 2 ? FaultKind.KILL_DAEMON : r < 4 ? FaultKind.PAUSE_SHORT
                    : r < 7 ? FaultKind.KILL_GUEST : r < 10 ? FaultKind.STORAGE_ERROR : r < 12 ? FaultKind.STORAGE_SLOW
                    : FaultKind.RESTART;
            if ((k != FaultKind.STORAGE_ERROR || useLoop) && (k != FaultKind.STORAGE_SLOW || slowStorage())) {
                return k;
            }
        }
    }

    private final Object faultLock = new Object();
    private final java.util.Set<Integer> faulted = new java.util.HashSet<>();

    /** A joined host without a fault in progress, leaving at least one other host untouched. */
    private SimHost pickHealthyHost(boolean needsWatchdog) {
        synchronized (faultLock) {
            List<SimHost> ok = new ArrayList<>();
            for (SimHost h : hosts) {
                if (!faulted.contains(h.id) && h.state == SimHost.State.UP && h.joined()) {
                    ok.add(h);
                }
            }
            if (ok.size() < 2 || faulted.size() + 1 >= hostCount) {
                return null;
            }
            List<SimHost> eligible = ok.stream().filter(x -> !needsWatchdog || !x.reference).toList();
            if (eligible.isEmpty()) {
                return null;
            }
            SimHost h = eligible.get(rnd.nextInt(eligible.size()));
            faulted.add(h.id);
            return h;
        }
    }

    private void inject(FaultKind kind, SimHost h) {
        try {
            switch (kind) {
                case PAUSE_LONG, PAUSE_SHORT -> {
                    int secs = kind == FaultKind.PAUSE_LONG ? 75 : 10 + rnd.nextInt(11);
                    h.state = SimHost.State.PAUSED;
                    faults.log("PAUSE", h.id, secs, h.pgid, kind.name());
                    Procs.signalGroup(h.pgid, "STOP");
                    applied(kind);
                    Thread.sleep(secs * 1000L);
                    Procs.signalGroup(h.pgid, "CONT");
                    faults.log("RESUME", h.id, 0, h.pgid, "");
                    h.state = h.daemonAlive() ? SimHost.State.UP : SimHost.State.DOWN;
                }
                case KILL_DAEMON -> {
                    faults.log("KILL_DAEMON", h.id, 0, h.daemon.pid(), "");
                    h.state = SimHost.State.DOWN;
                    h.daemon.destroyForcibly();
                    applied(kind);
                    Thread.sleep(5000);
                }
                case KILL_GUEST -> {
                    List<Process> gs = h.liveGuests();
                    if (!gs.isEmpty()) {
                        Process g = gs.get(rnd.nextInt(gs.size()));
                        faults.log("KILL_GUEST", h.id, 0, g.pid(), "");
                        g.destroyForcibly();
                        applied(kind);
                    } else {
                        notApplied(kind, "host " + h.id + " had no live guest");
                    }
                    Thread.sleep(2000);
                }
                case STORAGE_ERROR -> {
                    int secs = 3 + rnd.nextInt(12);
                    faults.log("STORAGE_RO", h.id, secs, h.pgid, h.loop);
                    if (Procs.run("blockdev", "--setro", h.loop) != 0) {
                        faults.log("STORAGE_RO_FAILED", h.id, 0, h.pgid, h.loop);
                        notApplied(kind, "blockdev --setro " + h.loop + " failed");
                        return;
                    }
                    applied(kind);
                    Thread.sleep(secs * 1000L);
                    Procs.run("blockdev", "--setrw", h.loop);
                    faults.log("STORAGE_RW", h.id, 0, h.pgid, h.loop);
                }
                case STORAGE_SLOW -> {
                    int secs = 5 + rnd.nextInt(20);
                    boolean hang = rnd.nextBoolean();
                    try (BlkioThrottle t = BlkioThrottle.create("jsanlock-chaos-" + ProcessHandle.current().pid() + "-host" + h.id)) {
                        t.add(h.daemon.pid());
                        faults.log("STORAGE_SLOW", h.id, secs, h.pgid, h.loop + (hang ? " hung" : " 10 iops"));
                        if (hang) {
                            t.hang(h.loop);
                        } else {
                            t.limitIops(h.loop, 10);
                        }
                        applied(kind);
                        try {
                            Thread.sleep(secs * 1000L);
                        } finally {
                            t.clear(h.loop);
                            faults.log("STORAGE_FAST", h.id, 0, h.pgid, h.loop);
                        }
                    } catch (IOException e) {
                        faults.log("STORAGE_SLOW_FAILED", h.id, 0, h.pgid, e.getMessage());
                        notApplied(kind, "cannot throttle host " + h.id + "'s storage: " + e.getMessage());
                        out.println("chaos: cannot throttle host " + h.id + "'s storage: " + e.getMessage());
                    }
                }
                case RESTART -> {
                    faults.log("RESTART", h.id, 0, h.pgid, "");
                    try {
                        h.client().remLockspace(h.lockspace(), false, false);
                    } catch (SanlockException e) {
                        faults.log("RESTART_REM_FAILED", h.id, e.code(), h.pgid, e.getMessage());
                    }
                    h.state = SimHost.State.DOWN;
                    Procs.signal(h.daemon.pid(), "TERM");
                    if (h.daemon.waitFor(10, TimeUnit.SECONDS)) {
                        applied(kind);
                    } else {
                        // As sanlock, a daemon ignores SIGTERM while a lockspace is joined (the
                        // rem_lockspace above failed): the host stays up, the restart did not happen.
                        faults.log("RESTART_TERM_IGNORED", h.id, 0, h.pgid, "");
                        h.state = SimHost.State.UP;
                        notApplied(kind, "host " + h.id + "'s daemon stayed up after SIGTERM");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (faultLock) {
                faulted.remove(h.id);
            }
        }
    }

    private final AtomicBoolean tornDown = new AtomicBoolean();

    private void tearDown() {
        if (!tornDown.compareAndSet(false, true)) {
            return;
        }
        ending.set(true);
        for (SimHost h : hosts) {
            h.destroy();
        }
        for (String l : loops) {
            Procs.run("blockdev", "--setrw", l);
            Procs.run("losetup", "-d", l);
        }
        faults.close();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
