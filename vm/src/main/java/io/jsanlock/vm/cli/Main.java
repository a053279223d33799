package io.jsanlock.vm.cli;

import io.jsanlock.vm.QemuDriver;
import io.jsanlock.vm.VirError;
import io.jsanlock.vm.config.SanlockDriverConfig;
import io.jsanlock.vm.domain.DomainDef;
import io.jsanlock.vm.ha.HaAgent;
import io.jsanlock.vm.ha.HaEngine;
import io.jsanlock.vm.ha.HaPolicy;
import io.jsanlock.vm.ha.HaRecord;
import io.jsanlock.vm.ha.LeaseWatch;
import io.jsanlock.vm.lock.SanlockLockDriver;
import io.jsanlock.vm.lock.ClientLeaseDaemon;
import io.jsanlock.vm.state.HostState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/jvirsh}: virsh's domain commands, with libvirtd's QEMU driver and its sanlock
 * lock manager running inside each command. Which host a jvirsh acts as is chosen by its state
 * directory ({@code --state-dir} or {@code JVIRSH_STATE_DIR}: definitions and
 * {@code qemu-sanlock.conf}) and by {@code SANLOCK_RUN_DIR} (the host's lease daemon).
 * Messages and output are virsh 2.0's (the scenario's version).
 *
 * <p>One file over 600 lines on purpose: it is jvirsh's whole command tree, one small nested
 * class per command (picocli's declaration of its arguments, then one call into
 * {@link QemuDriver} or the HA classes), sharing the driver opening and the virsh-style error
 * mapping above them; the logic lives in the classes they call.
 */
@Command(name = "jvirsh", mixinStandardHelpOptions = false, versionProvider = Main.Version.class, description = "virsh-like front for VMs protected by sanlock leases",
        subcommands = {Main.Define.class, Main.Undefine.class, Main.Start.class, Main.Destroy.class, Main.ListDomains.class,
            Main.DumpXml.class, Main.DomState.class, Main.DomInfo.class, Main.Suspend.class, Main.Resume.class,
            Main.Autostart.class, Main.StartAutostart.class, Main.Ha.class, Main.Agent.class, Main.LockFailureHelper.class,
            CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    static final String DEFAULT_STATE_DIR = "/var/lib/jvirsh";

    @Option(names = "--state-dir", scope = CommandLine.ScopeType.INHERIT,
            description = "this host's state directory (default: $JVIRSH_STATE_DIR, else " + DEFAULT_STATE_DIR + ")")
    Path stateDir;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help (the jvirsh(1) man page is made from it)")
    boolean help;

    @Option(names = {"-v", "--version"}, versionHelp = true,
            description = "print jvirsh's version (as virsh -v prints libvirt's) and exit")
    boolean version;

    /** The version line: the number alone, as {@code virsh --version} prints it, so scripts can compare it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            java.util.Properties p = new java.util.Properties();
            try (var in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {p.getProperty("version", "unknown")};
        }
    }

    PrintStream out = System.out;
    PrintStream err = System.err;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        // Every command takes --help too (jvirsh start --help), as virsh's do; picocli's own
        // `help` command already has it (jvirsh help start prints the same).
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("print this command's help").build());
            }
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandName();
            if (ex instanceof CommandLine.MissingParameterException mp && !mp.getMissing().isEmpty()) {
                main.err.println("error: command '" + name + "' requires <"
                        + mp.getMissing().get(0).paramLabel().replaceAll("[<>]", "") + "> option");
            } else if (ex instanceof CommandLine.UnmatchedArgumentException u && c == cl) {
                main.err.println("error: unknown command: '" + u.getUnmatched().get(0) + "'");
            } else {
                main.err.println("error: command '" + name + "': " + ex.getMessage());
            }
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, pr) -> {
            main.err.println("error: " + ex);
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        out.println("Usage: jvirsh [--state-dir DIR] COMMAND [ARGS]");
        out.println("Commands: define, undefine, start, destroy, list, dumpxml, domstate, dominfo, suspend, resume, autostart,"
                + " start-autostart, ha, agent");
        return 0;
    }

    /** A failure to report virsh-style: each line printed as "error: LINE". */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final List<String> lines;

        Failure(String... lines) {
            super(String.join("; ", lines));
            this.lines = List.of(lines);
        }
    }

    Path stateDir() {
        if (stateDir != null) {
            return stateDir;
        }
        String env = System.getenv("JVIRSH_STATE_DIR");
        return Path.of(env != null && !env.isEmpty() ? env : DEFAULT_STATE_DIR);
    }

    interface Body {
        int run(QemuDriver driver) throws VirError, Failure;
    }

    /**
     * Runs a command with the host's driver up: loads the lock driver's configuration and
     * initialises it, as libvirtd does when it starts. If that fails, nothing else runs and
     * every command fails with the driver's error, as virsh fails when libvirtd refused to start.
     */
    int withDriver(Body body) {
        try (HostState state = HostState.open(stateDir())) {
            SanlockLockDriver lock;
            try {
                lock = lockDriver(state);
            } catch (VirError e) {
                err.println("error: failed to connect to the hypervisor");
                err.println("error: " + e.getMessage());
                err.println("error: Initialization of QEMU state driver failed: " + e.getMessage());
                err.println("error: Driver state initialization failed");
                return 1;
            }
            QemuDriver driver = new QemuDriver(state, lock, io.jsanlock.client.SanlockClient.defaultRunDir().toString(), helperCommand());
            return body.run(driver);
        } catch (Failure f) {
            for (String l : f.lines) {
                err.println("error: " + l);
            }
            return 1;
        } catch (VirError e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** The host's lock driver, configured and initialised (as libvirtd's QEMU driver starts). */
    static SanlockLockDriver lockDriver(HostState state) throws VirError {
        SanlockDriverConfig config = SanlockDriverConfig.load(state.configFile());
        SanlockLockDriver lock = new SanlockLockDriver(config, ClientLeaseDaemon.fromEnvironment());
        lock.initialize();
        return lock;
    }

    /** jvirsh itself, run by the lease daemon as the killpath helper of on_lockfailure. */
    static QemuDriver.HelperCommand helperCommand() {
        String home = System.getenv("JSANLOCK_HOME");
        Path script = null;
        if (home != null && !home.isEmpty()) {
            script = Path.of(home, "bin", "jvirsh");
        } else {
            Path jar = Path.of(System.getProperty("java.class.path").split(":")[0]).toAbsolutePath();
            // dist/target/jsanlock.jar -> <repo>/bin/jvirsh
            if (jar.getParent() != null && jar.getParent().getParent() != null
                    && jar.getParent().getParent().getParent() != null) {
                script = jar.getParent().getParent().getParent().resolve("bin").resolve("jvirsh");
            }
        }
        if (script == null || !Files.isExecutable(script)) {
            return null;
        }
        return new QemuDriver.HelperCommand(script.normalize().toString(), List.of("lockfailure-helper"));
    }

    QemuDriver.Domain find(QemuDriver driver, String name) throws Failure {
        try {
            return driver.lookup(name);
        } catch (VirError e) {
            throw new Failure("failed to get domain '" + name + "'", e.getMessage());
        }
    }

    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;
    }

    abstract static class DomainSub extends Sub {
        @Parameters(index = "0", paramLabel = "domain", description = "domain name, id or uuid")
        String domain;
    }

    @Command(name = "define", description = "define (but don't start) a domain from an XML file")
    static final class Define extends Sub {
        @Parameters(index = "0", paramLabel = "file", description = "file containing an XML domain description")
        String file;

        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                String xml;
                try {
                    xml = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    throw new Failure("Failed to open file '" + file + "': No such file or directory");
                } catch (IOException e) {
                    throw new Failure("Failed to open file '" + file + "': " + e.getMessage());
                }
                DomainDef def;
                try {
                    def = driver.define(xml);
                } catch (VirError e) {
                    throw new Failure("Failed to define domain from " + file, e.getMessage());
                }
                main.out.println("Domain " + def.name() + " defined from " + file);
                main.out.println();
                return 0;
            });
        }
    }

    /**
     * The lifecycle commands (undefine, start, destroy, suspend, resume): look the domain up,
     * make one driver call, print virsh's {@code Domain NAME DONE} line and a blank line; a
     * driver error becomes {@code Failed to VERB domain NAME} plus the driver's message.
     * virsh names the domain as it was typed, except {@code start}, which names it by its
     * definition (a uuid given to start prints the name).
     */
    abstract static class LifecycleSub extends DomainSub {
        /** The one driver call of a lifecycle command. */
        interface Action {
            void apply(QemuDriver driver, QemuDriver.Domain d) throws VirError;
        }

        private final String verb;
        private final String done;
        private final boolean namedByDefinition;
        private final Action action;

        LifecycleSub(String verb, String done, boolean namedByDefinition, Action action) {
            this.verb = verb;
            this.done = done;
            this.namedByDefinition = namedByDefinition;
            this.action = action;
        }

        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                QemuDriver.Domain d = main.find(driver, domain);
                String shown = namedByDefinition ? d.def().name() : domain;
                try {
                    action.apply(driver, d);
                } catch (VirError e) {
                    throw new Failure("Failed to " + verb + " domain " + shown, e.getMessage());
                }
                main.out.println("Domain " + shown + " " + done);
                main.out.println();
                return 0;
            });
        }
    }

    @Command(name = "undefine", description = "undefine a domain")
    static final class Undefine extends LifecycleSub {
        Undefine() {
            super("undefine", "has been undefined", false, (driver, d) -> driver.undefine(d.def().name()));
        }
    }

    @Command(name = "start", description = "start a (previously defined) inactive domain")
    static final class Start extends LifecycleSub {
        Start() {
            super("start", "started", true, QemuDriver::start);
        }
    }

    @Command(name = "destroy", description = "destroy (stop) a domain")
    static final class Destroy extends LifecycleSub {
        Destroy() {
            super("destroy", "destroyed", false, QemuDriver::destroy);
        }
    }

    @Command(name = "suspend", description = "suspend a domain (its leases are released)")
    static final class Suspend extends LifecycleSub {
        Suspend() {
            super("suspend", "suspended", false, QemuDriver::suspend);
        }
    }

    @Command(name = "resume", description = "resume a domain (its leases are acquired again)")
    static final class Resume extends LifecycleSub {
        Resume() {
            super("resume", "resumed", false, QemuDriver::resume);
        }
    }

    @Command(name = "list", description = "list domains")
    static final class ListDomains extends Sub {
        @Option(names = "--all", description = "list inactive & active domains")
        boolean all;

        @Option(names = "--autostart", description = "list domains with autostart enabled")
        boolean autostart;

        @Option(names = "--no-autostart", description = "list domains with autostart disabled")
        boolean noAutostart;

        @Option(names = "--ha", description = "list the HA domains with where they run, since when, and restarts (jvirsh only)")
        boolean ha;

        @Override
        public Integer call() {
            if (ha) {
                return main.withDriver(this::listHa);
            }
            return main.withDriver(driver -> {
                main.out.printf(" %-5s %-30s %s%n", "Id", "Name", "State");
                main.out.println("----------------------------------------------------");
                for (QemuDriver.Domain d : driver.list(all)) {
                    // virsh: both filters together select every domain
                    if (autostart != noAutostart && driver.autostart(d) != autostart) {
                        continue;
                    }
                    String id = d.status().map(s -> Integer.toString(s.id())).orElse("-");
                    main.out.printf(" %-5s %-30s %s%n", id, d.def().name(), d.stateName());
                }
                main.out.println();
                return 0;
            });
        }

        /** One line per HA-enabled domain: this host's agent's view (docs/ha.md). */
    private int listHa(QemuDriver driver) throws VirError {
        main.out.printf(" %-20s %-9s %-4s %-22s %-20s %-8s %s%n", "Name", "State", "Prio", "Runs on", "Since", "Restarts",
                "Blocked");
        main.out.println("-".repeat(100));
        for (QemuDriver.Domain d : driver.list(true)) {
            HaPolicy p = driver.haPolicy(d);
            if (!p.enabled()) {
                continue;
            }
            HaRecord r = HaRecord.load(main.stateDir(), d.def().name());
            main.out.printf(" %-20s %-9s %-4d %-22s %-20s %-8d %s%n", d.def().name(), d.stateName(), p.priority(),
                    d.status().isPresent() ? "here" : r.where(), sinceText(r.since()), r.restarts(),
                    r.blocked().isEmpty() ? "no" : "yes");
        }
        main.out.println();
        return 0;
    }
    }

    static String sinceText(long epochMillis) {
        return epochMillis == 0 ? "-" : java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochMilli(epochMillis));
    }

    @Command(name = "dumpxml", description = "domain information in XML")
    static final class DumpXml extends DomainSub {
        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                QemuDriver.Domain d = main.find(driver, domain);
                main.out.print(d.def().xml());
                return 0;
            });
        }
    }

    @Command(name = "domstate", description = "domain state")
    static final class DomState extends DomainSub {
        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                QemuDriver.Domain d = main.find(driver, domain);
                main.out.println(d.stateName());
                main.out.println();
                return 0;
            });
        }
    }

    /** virsh dominfo: the fields jvirsh knows, in virsh's layout, with virsh's Autostart line. */
    @Command(name = "dominfo", description = "domain information")
    static final class DomInfo extends DomainSub {
        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                QemuDriver.Domain d = main.find(driver, domain);
                DomainDef def = d.def();
                field("Id:", d.status().map(s -> Integer.toString(s.id())).orElse("-"));
                field("Name:", def.name());
                field("UUID:", def.uuid());
                field("OS Type:", "hvm");
                field("State:", d.stateName());
                field("CPU(s):", Integer.toString(def.vcpus()));
                field("Max memory:", def.memoryKiB() + " KiB");
                field("Used memory:", def.memoryKiB() + " KiB");
                field("Persistent:", driver.persistentDefinition(def.name()).isPresent() ? "yes" : "no");
                field("Autostart:", driver.autostart(d) ? "enable" : "disable");
                field("Managed save:", "no");
                field("Security model:", "none");
                field("Security DOI:", "0");
                haFields(driver, d);
                main.out.println();
                return 0;
            });
        }

        private void field(String label, String value) {
            main.out.printf("%-15s %s%n", label, value);
        }

        /** jvirsh's HA lines, only for a domain with an HA policy (virsh's fields stay as they are). */
        private void haFields(QemuDriver driver, QemuDriver.Domain d) throws VirError {
            HaPolicy p = driver.haPolicy(d);
            if (p.equals(HaPolicy.NONE)) {
                return;
            }
            HaRecord r = HaRecord.load(main.stateDir(), d.def().name());
            field("HA:", (p.enabled() ? "enabled" : "disabled") + " (priority " + p.priority() + ")");
            field("HA runs on:", (d.status().isPresent() ? "here" : r.where()) + " (since " + sinceText(r.since()) + ")");
            field("HA restarts:", r.restarts() + " by this host");
            field("HA blocked:", r.blocked().isEmpty() ? "no" : r.blocked());
            if (!r.decision().isEmpty()) {
                field("HA decision:", r.decision() + " (" + sinceText(r.decidedAt()) + ")");
            }
        }
    }

    /**
     * jvirsh ha DOMAIN [--enable|--disable] [--priority N] [--clear]: the domain's HA policy,
     * stored in its definition's metadata (docs/ha.md). Without options it prints the policy.
     * {@code --clear} lifts the block this host's agent sets on a domain it lost to fencing.
     */
    @Command(name = "ha", description = "show or set a domain's high-availability policy (jvirsh only)")
    static final class Ha extends DomainSub {
        @Option(names = "--enable", description = "restart the domain here when the host running it dies")
        boolean enable;

        @Option(names = "--disable", description = "never restart it automatically from this host")
        boolean disable;

        @Option(names = "--priority", paramLabel = "N", description = "0..10, higher starts sooner (default 5)")
        Integer priority;

        @Option(names = "--clear", description = "allow this host to start it again after it lost it to fencing")
        boolean clear;

        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                QemuDriver.Domain d = main.find(driver, domain);
                String name = d.def().name();
                if (enable && disable) {
                    throw new Failure("Options --enable and --disable are mutually exclusive");
                }
                if (priority != null && (priority < 0 || priority > HaPolicy.MAX_PRIORITY)) {
                    throw new Failure("HA priority must be 0.." + HaPolicy.MAX_PRIORITY + ", got " + priority);
                }
                HaPolicy old = driver.haPolicy(d);
                if (enable || disable || priority != null) {
                    HaPolicy p = new HaPolicy(enable || !disable && old.enabled(),
                            priority != null ? priority : old.priority());
                    try {
                        driver.setHaPolicy(d, p);
                    } catch (VirError e) {
                        throw new Failure("Failed to set the HA policy of domain " + domain, e.getMessage());
                    }
                    driver.log(name, "ha: policy set to " + (p.enabled() ? "enabled" : "disabled") + ", priority "
                            + p.priority());
                    old = p;
                }
                if (clear) {
                    HaRecord r = HaRecord.load(main.stateDir(), name);
                    r.cleared().save(main.stateDir(), name);
                    driver.log(name, "ha: block " + (r.blocked().isEmpty() ? "(none)" : "'" + r.blocked() + "'")
                            + " cleared by the operator");
                    main.out.println("Domain " + name + " HA block cleared");
                }
                main.out.println("Domain " + name + " HA " + (old.enabled() ? "enabled" : "disabled") + ", priority "
                        + old.priority());
                main.out.println();
                return 0;
            });
        }
    }

    /**
     * jvirsh agent: this host's HA agent, in the foreground (jvirsh-agent.service runs it).
     * It is a client of whichever sanlock daemon runs at SANLOCK_RUN_DIR (docs/ha.md).
     */
    @Command(name = "agent", description = "run this host's HA agent in the foreground (jvirsh only)")
    static final class Agent extends Sub {
        @Option(names = "--poll", paramLabel = "SECONDS", description = "seconds between polls (default 2)")
        double poll = 2;
        @Option(names = "--max-starts", paramLabel = "N", description = "domains this host starts at once (default 2)")
        Integer maxStarts;
        @Option(names = "--settle", paramLabel = "SECONDS", description = "a start counts as in progress this long (default 10)")
        Double settle;
        @Option(names = "--priority-step", paramLabel = "SECONDS", description = "delay per priority level below 10 (default 2)")
        Double priorityStep;
        @Option(names = "--load-step", paramLabel = "SECONDS", description = "delay per domain running or starting here (default 10; about 2 x io_timeout)")
        Double loadStep;
        @Option(names = "--max-restarts", paramLabel = "N", description = "restarts of one domain by this host per window (default 3)")
        Integer maxRestarts;
        @Option(names = "--restart-window", paramLabel = "SECONDS", description = "that window (default 600)")
        Double restartWindow;
        @Option(names = "--storm-starts", paramLabel = "N", description = "starts by this host per storm window (default 8)")
        Integer stormStarts;
        @Option(names = "--storm-window", paramLabel = "SECONDS", description = "that window (default 60)")
        Double stormWindow;

        @Override
        public Integer call() throws InterruptedException {
            HaEngine.Settings d = HaEngine.Settings.defaults();
            HaEngine.Settings s = new HaEngine.Settings(maxStarts != null ? maxStarts : d.maxConcurrentStarts(),
                    nanos(settle, d.startSettleNanos()), nanos(priorityStep, d.priorityStepNanos()),
                    nanos(loadStep, d.loadStepNanos()), maxRestarts != null ? maxRestarts : d.maxRestarts(),
                    nanos(restartWindow, d.restartWindowNanos()), stormStarts != null ? stormStarts : d.stormStarts(),
                    nanos(stormWindow, d.stormWindowNanos()));
            HaAgent agent = new HaAgent(main.stateDir(), state -> {
                SanlockLockDriver lock = lockDriver(state);
                QemuDriver qemu = new QemuDriver(state, lock, io.jsanlock.client.SanlockClient.defaultRunDir().toString(),
                        helperCommand());
                return new HaAgent.Drivers(qemu, lock, new LeaseWatch(new io.jsanlock.client.SanlockClient()));
            }, s, io.jsanlock.base.MonotonicClock.SYSTEM, System::currentTimeMillis, main.out);
            agent.run(Math.max(100, (long) (poll * 1000)));
            return 0;
        }

        private static long nanos(Double seconds, long dflt) {
            return seconds == null ? dflt : HaEngine.Settings.seconds(seconds);
        }
    }

    /** virsh autostart [--disable]: mark a persistent domain to be started at boot. */
    @Command(name = "autostart", description = "autostart a domain (start it at boot: see start-autostart)")
    static final class Autostart extends DomainSub {
        @Option(names = "--disable", description = "disable autostarting")
        boolean disable;

        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                QemuDriver.Domain d = main.find(driver, domain);
                String verb = disable ? "unmark" : "mark";
                try {
                    driver.setAutostart(d, !disable);
                } catch (VirError e) {
                    throw new Failure("Failed to " + verb + " domain " + domain + " as autostarted", e.getMessage());
                }
                main.out.println("Domain " + domain + " " + verb + "ed as autostarted");
                main.out.println();
                return 0;
            });
        }
    }

    /**
     * What libvirtd does as its QEMU driver starts: start every autostart domain that is not
     * active. jvirsh has no libvirtd, so jvirsh-autostart.service runs this once at boot, after
     * jsanlock-lockspaces.service has joined the lockspaces the leases live in. Not a virsh
     * command (virsh has none: libvirtd does it), hence a name virsh does not use. One line per
     * domain; a lease another host holds (-243) is expected on a cluster whose hosts all mark
     * a domain autostart, and is not a failure. Exit status 1 only if some start failed
     * otherwise, so the unit shows failed for a domain the operator must look at.
     */
    @Command(name = "start-autostart", description = "start every autostart domain that is not running (at boot)")
    static final class StartAutostart extends Sub {
        @Override
        public Integer call() {
            return main.withDriver(driver -> {
                List<QemuDriver.AutostartResult> results = driver.startAutostart();
                if (results.isEmpty()) {
                    main.out.println("No domain is marked autostart");
                }
                int rc = 0;
                for (QemuDriver.AutostartResult r : results) {
                    switch (r.outcome()) {
                        case STARTED -> main.out.println("Domain " + r.name() + " started (" + r.message() + ")");
                        case ALREADY_ACTIVE -> main.out.println("Domain " + r.name() + " is already active ("
                                + r.message() + "): left alone");
                        case HELD_ELSEWHERE -> main.out.println("Domain " + r.name() + " not started: its lease is held"
                                + " by another live host (" + r.message() + "); normal when that host runs it");
                        case FAILED -> {
                            main.err.println("error: Failed to autostart domain " + r.name() + ": " + r.message());
                            rc = 1;
                        }
                    }
                }
                return rc;
            });
        }
    }

    /**
     * Run by the lease daemon (killpath) when this host loses the lockspace of a running
     * domain's leases: applies the domain's on_lockfailure action, like libvirt's
     * libvirt_sanlock_helper (vm-leases.md §4.7). Usage: STATE_DIR UUID ACTION.
     */
    @Command(name = "lockfailure-helper", hidden = true)
    static final class LockFailureHelper extends Sub {
        @Parameters(index = "0")
        Path dir;
        @Parameters(index = "1")
        String uuid;
        @Parameters(index = "2")
        String action;

        @Override
        public Integer call() {
            if (!action.equals("poweroff") && !action.equals("pause")) {
                boolean known = action.equals("restart") || action.equals("ignore") || action.equals("default");
                main.err.println((known ? "unsupported" : "invalid") + " failure action: '" + action + "'");
                return 1;
            }
            main.stateDir = dir;
            return main.withDriver(driver -> {
                QemuDriver.Domain d = main.find(driver, uuid);
                if (d.status().isEmpty()) {
                    return 0; // already inactive: nothing to do
                }
                String name = d.def().name();
                driver.log(name, "lock failure: lease lost, applying on_lockfailure " + action + " to pid "
                        + d.status().get().guest().pid());
                try {
                    if (action.equals("poweroff")) {
                        driver.destroy(d);
                    } else {
                        driver.suspend(d);
                    }
                } catch (VirError e) {
                    driver.log(name, "lock failure: " + action + " failed: " + e.getMessage());
                    throw new Failure(e.getMessage());
                }
                driver.log(name, "lock failure: " + action + " done");
                main.out.println("lock failure: domain " + name + " " + action);
                return 0;
            });
        }
    }
}
