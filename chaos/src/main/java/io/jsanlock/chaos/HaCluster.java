package io.jsanlock.chaos;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.vm.QemuDriver;
import io.jsanlock.vm.VirError;
import io.jsanlock.vm.config.SanlockDriverConfig;
import io.jsanlock.vm.ha.HaPolicy;
import io.jsanlock.vm.lock.ClientLeaseDaemon;
import io.jsanlock.vm.lock.SanlockLockDriver;
import io.jsanlock.vm.state.HostState;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hosts with HA domains (docs/ha.md), for the HA test and the chaos harness's HA mode: each
 * host is a lease daemon (jsanlock's with its watchdog on a {@link WatchdogStandIn}, or the
 * reference sanlock's) leading a process group with the host's {@code jvirsh agent}, its
 * own jvirsh state directory, and the guests its jvirsh starts ({@link HaGuest}: they leave
 * the group, as jvirsh's guests do, so the harness signals them by pid). Every host defines
 * every domain {@code ha0…}, each guarded by the exclusive lease {@code r<k>} in the lockspace
 * {@code chaos} on one file; guests journal for the {@link HistoryChecker}.
 *
 * <p>A host fault here is what a real one is: SIGSTOP of the host (daemon, agent, guests);
 * kill -9 of its daemon; and when the watchdog stand-in fires, every process of the host is
 * killed (the reset), after which {@link #reboot} brings it back with a fresh daemon and agent.
 */
final class HaCluster implements AutoCloseable {
    static final int IO_TIMEOUT = 1;

    final Path work;
    final String classPath;
    final int domains;
    final Journal faults;
    final List<Host> hosts = new ArrayList<>();
    final Path leaseFile;
    final PrintStream out;
    /** Extra arguments of every agent (timings). */
    List<String> agentArgs = List.of("--poll", "0.5", "--priority-step", "0.5", "--load-step", "3", "--settle", "5");

    final class Host {
        final int id;
        final boolean reference;
        final Path dir;
        final Path runDir;
        final Path stateDir;
        final WatchdogStandIn watchdog;
        volatile Process daemon;
        volatile Process agent;
        volatile long pgid;
        volatile boolean paused;
        int boots;

        Host(int id, boolean reference) throws IOException {
            this.id = id;
            this.reference = reference;
            this.dir = work.resolve("host" + id);
            this.runDir = dir.resolve("run");
            this.stateDir = dir.resolve("jvirsh");
            Files.createDirectories(runDir);
            Files.createDirectories(stateDir);
            this.watchdog = reference ? null : new WatchdogStandIn(dir.resolve("watchdog"), 60, () -> pgid, this::fired);
        }

        SanlockClient client() {
            return new SanlockClient(runDir);
        }

        /** The stand-in reset the host: its group is dead; its guests go too, as on a real reset. */
        private void fired() {
            faults.log("FIRE", id, 0, pgid, "watchdog stand-in reset the host");
            killGuests(this);
        }

        boolean alive() {
            Process d = daemon;
            return d != null && d.isAlive();
        }
    }

    HaCluster(Path work, String classPath, int hostCount, int referenceHosts, int domains, PrintStream out) throws IOException {
        this.work = work;
        this.classPath = classPath;
        this.domains = domains;
        this.out = out;
        Files.createDirectories(work.resolve("journal"));
        Files.createDirectories(work.resolve("guarded"));
        Files.createDirectories(work.resolve("poweroff"));
        this.faults = new Journal(work.resolve("journal").resolve("faults.log"));
        this.leaseFile = work.resolve("leases.img");
        for (int i = 1; i <= hostCount; i++) {
            hosts.add(new Host(i, i > hostCount - referenceHosts));
        }
    }

    Host host(int id) {
        return hosts.get(id - 1);
    }

    static String domainName(int k) {
        return "ha" + k;
    }

    /** Lease area, hosts booted and joined, every domain defined (HA enabled) on every host. */
    void setUp() throws IOException, InterruptedException {
        try (var f = new java.io.RandomAccessFile(leaseFile.toFile(), "rw")) {
            f.setLength((domains + 1) * ChaosRun.MIB);
        }
        ChaosRun.init(new String[] {"direct", "init", "-s", ChaosRun.LOCKSPACE + ":0:" + leaseFile + ":0", "-o", "1"});
        for (int k = 0; k < domains; k++) {
            ChaosRun.init(new String[] {"direct", "init", "-r", ChaosRun.LOCKSPACE + ":" + ChaosRun.resourceName(k) + ":"
                    + leaseFile + ":" + ChaosRun.resourceOffset(k)});
            Files.write(ChaosRun.recordFile(work, k), new byte[0]);
        }
        for (Host h : hosts) {
            for (int k = 0; k < domains; k++) {
                define(h, k);
            }
        }
        List<Thread> boots = new ArrayList<>();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (Host h : hosts) {
            boots.add(Thread.ofVirtual().start(() -> {
                try {
                    boot(h);
                } catch (IOException | InterruptedException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : boots) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IOException("boot failed: " + failures.get(0).getMessage(), failures.get(0));
        }
    }

    /** The domain XML of domain {@code k} as host {@code h} defines it: its guest is an {@link HaGuest}. */
    String xml(Host h, int k) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-Xmx32m", "-cp", classPath, HaGuest.class.getName(), h.runDir.toString(),
                Integer.toString(h.id), work.toString(), Integer.toString(k));
        StringBuilder x = new StringBuilder("<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n");
        x.append("  <name>").append(domainName(k)).append("</name>\n");
        x.append("  <uuid>").append(String.format("6a000000-0000-4000-8000-%012d", k)).append("</uuid>\n");
        x.append("  <memory unit='MiB'>64</memory>\n  <devices>\n    <emulator>").append(java).append("</emulator>\n");
        x.append("    <lease>\n      <lockspace>").append(ChaosRun.LOCKSPACE).append("</lockspace>\n      <key>")
                .append(ChaosRun.resourceName(k)).append("</key>\n      <target path='").append(leaseFile)
                .append("' offset='").append(ChaosRun.resourceOffset(k)).append("'/>\n    </lease>\n  </devices>\n");
        x.append("  <qemu:commandline>\n");
        for (String a : args) {
            x.append("    <qemu:arg value='").append(a.replace("&", "&amp;").replace("'", "&apos;")).append("'/>\n");
        }
        x.append("  </qemu:commandline>\n</domain>\n");
        return x.toString();
    }

    private void define(Host h, int k) throws IOException {
        try (HostState state = HostState.open(h.stateDir)) {
            QemuDriver driver = new QemuDriver(state, null, h.runDir.toString(), null);
            driver.define(new HaPolicy(true, HaPolicy.DEFAULT_PRIORITY).applyTo(xml(h, k)));
        } catch (VirError e) {
            throw new IOException("define " + domainName(k) + " on host " + h.id + ": " + e.getMessage(), e);
        }
    }

    /** Boots a host: a fresh daemon leading a new process group, joined, then its agent. */
    void boot(Host h) throws IOException, InterruptedException {
        // as SimHost.boot: the reset host's old daemon must be gone before a new one starts
        Process old = h.daemon;
        if (old != null && !old.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("host " + h.id + "'s previous daemon (pid " + old.pid() + ") has not exited 30 s after its reset");
        }
        h.boots++;
        Files.deleteIfExists(h.runDir.resolve("sanlock.sock"));
        Process p;
        Path log = h.dir.resolve("daemon." + h.boots + ".log");
        if (h.reference) {
            Map<String, String> env = new HashMap<>(Map.of("SANLOCK_RUN_DIR", h.runDir.toString()));
            Path shim = Path.of("/usr/local/lib/sanlock-peer/rlimit-shim.so");
            if (Files.exists(shim)) {
                env.put("LD_PRELOAD", shim.toString());
            }
            p = Procs.startInGroup(0, List.of("sanlock", "daemon", "-D", "-w", "0", "-l", "0", "-h", "0", "-U", "root", "-G",
                    "root", "-e", "ha-host" + h.id), env, log);
        } else {
            p = Procs.startInGroup(0, Procs.java(classPath, "io.jsanlock.daemon.DaemonMain", List.of("-D", "-w", "1", "-e",
                    "ha-host" + h.id)), Map.of("SANLOCK_RUN_DIR", h.runDir.toString(), "JSANLOCK_WATCHDOG_DEVICE",
                    h.watchdog.device().toString()), log);
        }
        h.daemon = p;
        h.pgid = p.pid();
        h.paused = false;
        faults.log("BOOT", h.id, h.boots, p.pid(), h.reference ? "reference sanlock" : "jsanlock");
        long end = System.nanoTime() + 30_000_000_000L;
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("host " + h.id + " daemon exited at boot (see " + log + ")");
            }
            try {
                h.client().version();
                break;
            } catch (SanlockException e) {
                if (System.nanoTime() > end) {
                    throw new IOException("host " + h.id + " daemon did not answer within 30 s");
                }
                Thread.sleep(100);
            }
        }
        try {
            h.client().addLockspace(new Lockspace(ChaosRun.LOCKSPACE, h.id, 0, new Disk(leaseFile.toString(), 0)), IO_TIMEOUT,
                    false);
        } catch (SanlockException e) {
            throw new IOException("host " + h.id + " join failed: " + e.code() + " " + e.getMessage());
        }
        faults.log("JOIN", h.id, 0, h.pgid, "");
        List<String> args = new ArrayList<>(List.of("--state-dir", h.stateDir.toString(), "agent"));
        args.addAll(agentArgs);
        h.agent = Procs.startInGroup(h.pgid, Procs.java(classPath, "io.jsanlock.vm.cli.Main", args),
                Map.of("SANLOCK_RUN_DIR", h.runDir.toString()), h.dir.resolve("agent.log"));
    }

    /** Starts domain {@code k} on host {@code h} as `jvirsh start` does. */
    void start(Host h, int k) throws IOException {
        try (HostState state = HostState.open(h.stateDir)) {
            SanlockLockDriver lock = new SanlockLockDriver(SanlockDriverConfig.load(state.configFile()),
                    new ClientLeaseDaemon(h.client()));
            QemuDriver driver = new QemuDriver(state, lock, h.runDir.toString(), null);
            driver.start(driver.lookup(domainName(k)));
        } catch (VirError e) {
            throw new IOException("start " + domainName(k) + " on host " + h.id + ": " + e.getMessage(), e);
        }
    }

    /** A live HA guest: its pid, host and domain (from /proc: the harness started none of them). */
    record GuestProc(long pid, int host, int k) {}

    /** Every live {@link HaGuest} of this cluster, from /proc. */
    List<GuestProc> guests() {
        List<GuestProc> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                String[] argv;
                String stat;
                try {
                    argv = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException e) {
                    continue;
                }
                int i = List.of(argv).indexOf(HaGuest.class.getName());
                // a GuestLauncher carries the guest's argv too: it is not the guest until it execs
                if (i < 0 || argv.length < i + 5 || !argv[i + 3].equals(work.toString())
                        || List.of(argv).contains("io.jsanlock.vm.guest.GuestLauncher")) {
                    continue;
                }
                String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
                if (state.equals("Z") || state.equals("X")) {
                    continue;
                }
                out.add(new GuestProc(Long.parseLong(p.getFileName().toString()), Integer.parseInt(argv[i + 2]),
                        Integer.parseInt(argv[i + 4])));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Where each domain runs now: domain → hosts running a copy (normally zero or one). */
    Map<Integer, List<Integer>> placement() {
        Map<Integer, List<Integer>> m = new HashMap<>();
        for (int k = 0; k < domains; k++) {
            m.put(k, new ArrayList<>());
        }
        for (GuestProc g : guests()) {
            m.get(g.k()).add(g.host());
        }
        return m;
    }

    List<Integer> domainsOn(Host h) {
        return guests().stream().filter(g -> g.host() == h.id).map(GuestProc::k).sorted().toList();
    }

    /** SIGSTOP of the whole host: daemon, agent and guests. */
    void pause(Host h, String why) {
        h.paused = true;
        faults.log("PAUSE", h.id, 0, h.pgid, why);
        Procs.signalGroup(h.pgid, "STOP");
        for (GuestProc g : guests()) {
            if (g.host() == h.id) {
                Procs.signal(g.pid(), "STOP");
            }
        }
    }

    /** kill -9 of the host's daemon: its guests run on until the watchdog stand-in resets the host. */
    void killDaemon(Host h) {
        faults.log("KILL_DAEMON", h.id, 0, h.daemon.pid(), "");
        h.daemon.destroyForcibly();
    }

    /** Kills the host's guests (the reset's share of them) and journals each exit once it happened. */
    void killGuests(Host h) {
        for (GuestProc g : guests()) {
            if (g.host() != h.id) {
                continue;
            }
            Procs.signal(g.pid(), "KILL");
            Procs.signal(g.pid(), "CONT");
            java.util.Optional<ProcessHandle> ph = ProcessHandle.of(g.pid());
            long end = System.nanoTime() + 5_000_000_000L;
            while (ph.isPresent() && ph.get().isAlive() && System.nanoTime() < end && guests().contains(g)) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            faults.log("EXIT", h.id, 0, g.pid(), "killed by the host's reset");
        }
    }

    /** After the reset: the host boots again (new daemon generation, new agent). */
    void reboot(Host h) throws IOException, InterruptedException {
        Procs.signalGroup(h.pgid, "KILL");
        killGuests(h);
        boot(h);
    }

    /** Runs jvirsh on host {@code h} in a JVM of its own (as an operator would); returns its stdout. */
    String jvirsh(Host h, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("--state-dir", h.stateDir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(Procs.java(classPath, "io.jsanlock.vm.cli.Main", cmd));
        pb.environment().put("SANLOCK_RUN_DIR", h.runDir.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        p.getInputStream().transferTo(buf);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jvirsh " + String.join(" ", args) + " on host " + h.id + " hung");
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The guest of domain {@code k} shuts down from inside (the guest OS powers off). */
    void poweroff(int k) throws IOException {
        Files.writeString(HaGuest.poweroffFile(work, k), "");
    }

    /** The agent log lines of host {@code h}. */
    List<String> agentLog(Host h) throws IOException {
        Path f = h.dir.resolve("agent.log");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    @Override
    public void close() {
        for (Host h : hosts) {
            if (h.pgid > 0) {
                Procs.signalGroup(h.pgid, "CONT");
                Procs.signalGroup(h.pgid, "KILL");
            }
            if (h.watchdog != null) {
                h.watchdog.close();
            }
        }
        for (GuestProc g : guests()) {
            Procs.signal(g.pid(), "KILL");
            Procs.signal(g.pid(), "CONT");
        }
        faults.close();
    }
}
