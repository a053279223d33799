package io.jsanlock.vm;

import io.jsanlock.vm.domain.DomainDef;
import io.jsanlock.vm.domain.DomainXml;
import io.jsanlock.vm.domain.GuestCommand;
import io.jsanlock.vm.domain.LockFailureAction;
import io.jsanlock.vm.guest.GuestProcess;
import io.jsanlock.vm.guest.GuestSpawner;
import io.jsanlock.vm.ha.HaAgent;
import io.jsanlock.vm.ha.HaPolicy;
import io.jsanlock.vm.lock.LeaseSpec;
import io.jsanlock.vm.lock.SanlockLockDriver;
import io.jsanlock.vm.state.DomainStatus;
import io.jsanlock.vm.state.HostState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The part of libvirt's QEMU driver that jvirsh needs: domain definitions and their life
 * cycle on one host, with the lock manager called where libvirt calls it (vm-leases.md §4.8).
 * Every public operation leaves the state directory unchanged when it fails.
 */
public final class QemuDriver {
    /** How long destroy waits after SIGTERM before SIGKILL (libvirt waits about 10 s). */
    static final long TERM_GRACE_MILLIS = 10_000;

    /** A domain as listed: its definition, and its status when active. */
    public record Domain(DomainDef def, Optional<DomainStatus> status) {
        public String stateName() {
            if (status.isEmpty()) {
                return "shut off";
            }
            return status.get().paused() ? "paused" : "running";
        }
    }

    private final HostState state;
    private final SanlockLockDriver lockDriver;
    private final String runDir;
    private final HelperCommand helper;

    /**
     * @param helper how to run jvirsh as sanlock's killpath helper, or null when unknown (then
     *               domains with a poweroff/pause lock failure action cannot start)
     */
    public QemuDriver(HostState state, SanlockLockDriver lockDriver, String runDir, HelperCommand helper) {
        this.state = state;
        this.lockDriver = lockDriver;
        this.runDir = runDir;
        this.helper = helper;
    }

    /** The killpath program and its leading arguments (jvirsh's lock failure helper). */
    public record HelperCommand(String program, List<String> leadingArgs) {
    }

    public Domain lookup(String nameOrUuid) throws VirError {
        for (Domain d : all()) {
            if (d.def().name().equals(nameOrUuid) || d.def().uuid().equalsIgnoreCase(nameOrUuid)) {
                return d;
            }
        }
        for (Domain d : all()) {
            if (d.status().isPresent() && Integer.toString(d.status().get().id()).equals(nameOrUuid)) {
                return d;
            }
        }
        throw new VirError(VirErrorCode.NO_DOMAIN, "no domain with matching name '" + nameOrUuid + "'");
    }

    /** Every domain: persistent ones and running transient ones. */
    public List<Domain> all() throws VirError {
        List<Domain> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (DomainDef live : state.liveDefinitions()) {
            Optional<DomainStatus> s = state.status(live.name());
            if (s.isPresent()) {
                out.add(new Domain(live, s));
                seen.add(live.name());
            }
        }
        for (DomainDef def : state.definitions()) {
            if (!seen.contains(def.name())) {
                out.add(new Domain(def, Optional.empty()));
            }
        }
        return out;
    }

    /** virsh's order: active domains by id, then inactive ones by name. */
    public List<Domain> list(boolean all) throws VirError {
        List<Domain> active = new ArrayList<>(all().stream().filter(d -> d.status().isPresent()).toList());
        active.sort(Comparator.comparingInt(d -> d.status().get().id()));
        List<Domain> out = new ArrayList<>(active);
        if (all) {
            out.addAll(all().stream().filter(d -> d.status().isEmpty())
                    .sorted(Comparator.comparing(d -> d.def().name())).toList());
        }
        return out;
    }

    /** Whether {@code d} is marked to start at boot (a transient domain never is). */
    public boolean autostart(Domain d) throws VirError {
        return state.definition(d.def().name()).isPresent() && state.autostart(d.def().name());
    }

    /** Marks or unmarks a persistent domain to start at boot, as virsh autostart [--disable]. */
    public void setAutostart(Domain d, boolean on) throws VirError {
        if (state.definition(d.def().name()).isEmpty()) {
            throw new VirError(VirErrorCode.OPERATION_INVALID, "cannot set autostart for transient domain");
        }
        state.setAutostart(d.def().name(), on);
    }

    /** The HA policy stored with a persistent domain's definition. */
    public HaPolicy haPolicy(Domain d) throws VirError {
        Optional<DomainDef> def = state.definition(d.def().name());
        return def.isEmpty() ? HaPolicy.NONE : HaPolicy.of(def.get().xml());
    }

    /**
     * Stores an HA policy with a persistent domain's definition (docs/ha.md). Enabling needs an
     * exclusive lease: the lease is what decides, among the hosts, where the domain runs.
     */
    public void setHaPolicy(Domain d, HaPolicy policy) throws VirError {
        Optional<DomainDef> def = state.definition(d.def().name());
        if (def.isEmpty()) {
            throw new VirError(VirErrorCode.OPERATION_INVALID, "cannot set an HA policy for transient domain");
        }
        if (policy.enabled() && HaAgent.exclusiveLease(lockDriver.leasesFor(def.get())).isEmpty()) {
            throw new VirError(VirErrorCode.CONFIG_UNSUPPORTED,
                    "HA needs an exclusive lease (a <lease> or, with auto_disk_leases, a writable disk)");
        }
        state.saveDefinition(DomainXml.parse(policy.applyTo(def.get().xml())));
    }

    /** What {@link #startAutostart} did with one domain. */
    public enum AutostartOutcome { STARTED, ALREADY_ACTIVE, HELD_ELSEWHERE, FAILED }

    /** One line of {@link #startAutostart}'s report. */
    public record AutostartResult(String name, AutostartOutcome outcome, String message) {
    }

    /**
     * Starts every domain marked autostart that is not active (running or paused), by name,
     * as libvirtd does when its QEMU driver starts. One failure does not stop the others.
     * A lease held by another host (sanlock -243) is its own outcome: on a cluster whose
     * domains are marked autostart on every host, the host that got there first runs it.
     */
    public List<AutostartResult> startAutostart() throws VirError {
        List<AutostartResult> out = new ArrayList<>();
        List<Domain> marked = new ArrayList<>();
        for (Domain d : all()) {
            if (autostart(d)) {
                marked.add(d);
            }
        }
        marked.sort(Comparator.comparing(d -> d.def().name()));
        for (Domain d : marked) {
            String name = d.def().name();
            if (d.status().isPresent()) {
                out.add(new AutostartResult(name, AutostartOutcome.ALREADY_ACTIVE, d.stateName()));
                continue;
            }
            try {
                DomainStatus s = start(d);
                out.add(new AutostartResult(name, AutostartOutcome.STARTED, "id " + s.id() + ", pid " + s.guest().pid()));
            } catch (VirError e) {
                boolean elsewhere = e.code() == VirErrorCode.RESOURCE_BUSY
                        && e.getMessage().equals(SanlockLockDriver.acquireError(HELD_ELSEWHERE).getMessage());
                out.add(new AutostartResult(name, elsewhere ? AutostartOutcome.HELD_ELSEWHERE : AutostartOutcome.FAILED,
                        e.getMessage()));
            }
        }
        return out;
    }

    /** sanlock's SANLK_ACQUIRE_IDLIVE: the lease is held by a host that is alive. */
    static final int HELD_ELSEWHERE = -243;

    /** Defines (or redefines) a persistent domain from XML. */
    public DomainDef define(String xml) throws VirError {
        DomainDef def = DomainXml.parse(xml);
        HaPolicy.of(def.xml()); // a bad HA policy fails the define, as bad XML does
        for (Domain d : all()) {
            boolean sameName = d.def().name().equals(def.name());
            boolean sameUuid = d.def().uuid().equals(def.uuid());
            if (sameName && !sameUuid) {
                throw new VirError(VirErrorCode.OPERATION_FAILED,
                        "domain '" + def.name() + "' already exists with uuid " + d.def().uuid());
            }
            if (sameUuid && !sameName) {
                throw new VirError(VirErrorCode.OPERATION_FAILED,
                        "domain '" + d.def().name() + "' is already defined with uuid " + def.uuid());
            }
        }
        state.saveDefinition(def);
        return def;
    }

    /** Removes the persistent definition; a running domain keeps running as a transient one. */
    public DomainDef undefine(String name) throws VirError {
        Domain d = lookup(name);
        if (state.definition(d.def().name()).isEmpty()) {
            throw new VirError(VirErrorCode.OPERATION_INVALID, "cannot undefine transient domain");
        }
        state.deleteDefinition(d.def().name());
        return d.def();
    }

    /**
     * Starts a domain as libvirt does: pre-exec checks and registration of the guest process,
     * then acquisition of every lease on behalf of the guest's pid, and only then the guest runs.
     */
    public DomainStatus start(Domain d) throws VirError {
        if (d.status().isPresent()) {
            throw new VirError(VirErrorCode.OPERATION_INVALID, "domain is already running");
        }
        DomainDef def = d.def();
        List<String> argv = GuestCommand.build(def);
        List<LeaseSpec> leases;
        try {
            leases = lockDriver.leasesFor(def);
        } catch (VirError e) {
            throw GuestSpawner.preExec(e.getMessage());
        }
        String killPath = null;
        String killArgs = null;
        LockFailureAction action = def.onLockFailure();
        if (action == LockFailureAction.RESTART || action == LockFailureAction.IGNORE) {
            throw GuestSpawner.preExec(new VirError(VirErrorCode.CONFIG_UNSUPPORTED,
                    "Failure action " + action.xmlName() + " is not supported by sanlock").getMessage());
        }
        if (action == LockFailureAction.POWEROFF || action == LockFailureAction.PAUSE) {
            if (helper == null) {
                throw GuestSpawner.preExec(new VirError(VirErrorCode.INTERNAL_ERROR,
                        "Sanlock helper path is unknown").getMessage());
            }
            killPath = helper.program();
            List<String> a = new ArrayList<>(helper.leadingArgs());
            a.add(state.dir().toAbsolutePath().toString());
            a.add(def.uuid());
            a.add(action.xmlName());
            killArgs = String.join(" ", a.stream().map(QemuDriver::escapeArg).toList());
            if (killPath.length() > 127) {
                throw GuestSpawner.preExec(new VirError(VirErrorCode.INTERNAL_ERROR,
                        "Sanlock helper path is longer than 127: '" + killPath + "'").getMessage());
            }
            if (killArgs.length() > 127) {
                throw GuestSpawner.preExec(new VirError(VirErrorCode.INTERNAL_ERROR,
                        "Sanlock helper arguments are longer than 127: '" + killArgs + "'").getMessage());
            }
        }
        GuestSpawner.Pending pending = GuestSpawner.register(argv, runDir, state.logFile(def.name()), killPath,
                killArgs);
        try {
            lockDriver.acquire(pending.pid(), def.name(), leases);
        } catch (VirError e) {
            GuestSpawner.abort(pending);
            throw e;
        }
        GuestProcess guest;
        try {
            guest = GuestSpawner.run(pending);
        } catch (VirError e) {
            GuestSpawner.abort(pending);
            throw e;
        }
        DomainStatus s = new DomainStatus(state.nextId(), guest, false);
        state.saveStatus(def.name(), def, s);
        return s;
    }

    /** Stops the guest: SIGTERM, then SIGKILL. No lock calls: its leases go with its process. */
    public void destroy(Domain d) throws VirError {
        DomainStatus s = d.status().orElseThrow(() -> new VirError(VirErrorCode.OPERATION_INVALID,
                "domain is not running"));
        GuestProcess g = s.guest();
        if (s.paused()) {
            g.resume(); // a stopped process only acts on SIGTERM once continued
        }
        g.terminate();
        if (!g.awaitExit(TERM_GRACE_MILLIS)) {
            g.kill();
            if (!g.awaitExit(5_000)) {
                throw new VirError(VirErrorCode.OPERATION_FAILED, "failed to kill guest process " + g.pid());
            }
        }
        state.clearStatus(d.def().name());
    }

    /** Pauses the guest: stop it, then release its leases (libvirt releases at every pause). */
    public void suspend(Domain d) throws VirError {
        DomainStatus s = d.status().orElseThrow(() -> new VirError(VirErrorCode.OPERATION_INVALID,
                "domain is not running"));
        if (s.paused()) {
            return;
        }
        s.guest().stop();
        List<LeaseSpec> leases = lockDriver.leasesFor(d.def());
        try {
            lockDriver.release(s.guest().pid(), leases);
        } catch (VirError e) {
            // libvirt: a release failure never blocks a pause; it is only logged.
            System.err.println("warning : Unable to release lease on " + d.def().name() + ": " + e.getMessage());
        }
        state.saveStatus(d.def().name(), d.def(), new DomainStatus(s.id(), s.guest(), true));
    }

    /** Resumes a paused guest: acquire its leases again, then let it run. */
    public void resume(Domain d) throws VirError {
        DomainStatus s = d.status().orElseThrow(() -> new VirError(VirErrorCode.OPERATION_INVALID,
                "domain is not running"));
        if (!s.paused()) {
            throw new VirError(VirErrorCode.OPERATION_INVALID, "domain is not paused");
        }
        lockDriver.acquire(s.guest().pid(), d.def().name(), lockDriver.leasesFor(d.def()));
        s.guest().resume();
        state.saveStatus(d.def().name(), d.def(), new DomainStatus(s.id(), s.guest(), false));
    }

    /** Appends a timestamped line to the domain's log, as libvirt logs lock driver events there. */
    public void log(String name, String line) {
        try {
            java.nio.file.Files.writeString(state.logFile(name),
                    java.time.OffsetDateTime.now() + ": " + line + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            System.err.println("warning : cannot write log of " + name + ": " + e.getMessage());
        }
    }

    public Optional<DomainDef> persistentDefinition(String name) throws VirError {
        return state.definition(name);
    }

    /** Backslash-escapes spaces and backslashes inside one killpath argument (sanlock's format). */
    static String escapeArg(String a) {
        return a.replace("\\", "\\\\").replace(" ", "\\ ");
    }
}
