package io.jsanlock.vm.ha;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.vm.QemuDriver;
import io.jsanlock.vm.VirError;
import io.jsanlock.vm.domain.DomainDef;
import io.jsanlock.vm.lock.LeaseSpec;
import io.jsanlock.vm.lock.SanlockLockDriver;
import io.jsanlock.vm.state.DomainStatus;
import io.jsanlock.vm.state.HostState;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@code jvirsh agent}: one host's HA agent (docs/ha.md). Every poll it looks at each
 * HA-enabled domain defined on this host — running here or not, and its lease (owner and the
 * owner's fate) — lets the {@link HaEngine} decide, starts what it decided to start (the
 * lease picks one winner among the hosts that try), and records every decision with its
 * reason: on stdout (the journal), in the domain's log and in {@code ha/NAME.state} for
 * {@code list --ha} and {@code dominfo}.
 */
public final class HaAgent {
    /** Opens this host's driver on a locked state directory, as every jvirsh command does. */
    public interface DriverFactory {
        Drivers open(HostState state) throws VirError;
    }

    /** The QEMU driver and its lock driver, and the lease watcher on the same daemon. */
    public record Drivers(QemuDriver qemu, SanlockLockDriver lock, LeaseWatch watch) {
    }

    /** The sanlock codes a start loses the race with: another host (or instance) has the lease. */
    static final int[] LOST_RACE_CODES = {-243, -244, -245, -11, -16, -17};

    private final Path stateDir;
    private final DriverFactory factory;
    private final HaEngine engine;
    private final PrintStream log;
    private final LongSupplier wallMillis;
    private final Map<String, Integer> clearsSeen = new HashMap<>();

    public HaAgent(Path stateDir, DriverFactory factory, HaEngine.Settings settings, MonotonicClock clock,
                   LongSupplier wallMillis, PrintStream log) {
        this.stateDir = stateDir;
        this.factory = factory;
        this.engine = new HaEngine(settings, clock);
        this.log = log;
        this.wallMillis = wallMillis;
    }

    /** Polls until interrupted. A failed poll (daemon down, state unreadable) is logged and retried. */
    public void run(long pollMillis) throws InterruptedException {
        log("agent: started on " + stateDir + ", polling every " + pollMillis + " ms");
        String lastError = "";
        while (!Thread.currentThread().isInterrupted()) {
            try {
                poll();
                lastError = "";
            } catch (VirError e) {
                if (!e.getMessage().equals(lastError)) {
                    log("agent: poll failed: " + e.getMessage());
                }
                lastError = e.getMessage();
            }
            Thread.sleep(pollMillis);
        }
    }

    /** One poll, under the state directory's lock. */
    public void poll() throws VirError {
        try (HostState state = HostState.open(stateDir)) {
            Drivers d = factory.open(state);
            List<HaEngine.Seen> seen = new ArrayList<>();
            Map<String, HaRecord> records = new HashMap<>();
            Map<String, QemuDriver.Domain> domains = new HashMap<>();
            for (DomainDef def : state.definitions()) {
                HaPolicy policy = HaPolicy.of(def.xml());
                if (!policy.enabled()) {
                    continue;
                }
                String name = def.name();
                HaRecord rec = HaRecord.load(stateDir, name);
                Integer seenClears = clearsSeen.get(name);
                if (seenClears == null) {
                    engine.restore(name, rec.ranHere(), rec.blocked());
                } else if (rec.clears() > seenClears) {
                    engine.clear(name);
                    log(name + ": block cleared by the operator");
                }
                clearsSeen.put(name, rec.clears());
                records.put(name, rec);
                Optional<DomainStatus> status = state.status(name);
                domains.put(name, new QemuDriver.Domain(status.isPresent()
                        ? state.liveDefinition(name).orElse(def) : def, status));
                seen.add(new HaEngine.Seen(name, policy, status.isPresent(), look(d, def)));
            }
            List<HaEngine.Decision> decisions = engine.tick(seen);
            Map<String, HaEngine.Seen> byName = new HashMap<>();
            seen.forEach(s -> byName.put(s.name(), s));
            for (HaEngine.Decision dec : decisions) {
                String name = dec.name();
                HaRecord rec = records.get(name);
                long now = wallMillis.getAsLong();
                HaEngine.Decision last = dec;
                if (dec.changed()) {
                    record(d, name, dec.reason());
                }
                boolean started = false;
                if (dec.action() == HaEngine.Action.START) {
                    last = start(d.qemu(), domains.get(name));
                    record(d, name, last.reason());
                    started = engine.ranHere(name); // set by a successful start only
                }
                rec = rec.withWhere(where(byName.get(name), started), now);
                if (started) {
                    rec = rec.withRestart();
                }
                if (last.changed()) {
                    rec = rec.withDecision(last.reason(), now);
                }
                rec.withState(engine.ranHere(name), engine.blocked(name)).save(stateDir, name);
            }
        }
    }

    private HaEngine.Decision start(QemuDriver qemu, QemuDriver.Domain d) {
        String name = d.def().name();
        try {
            DomainStatus s = qemu.start(d);
            return engine.outcome(name, HaEngine.StartOutcome.STARTED, "id " + s.id() + ", pid " + s.guest().pid());
        } catch (VirError e) {
            for (int code : LOST_RACE_CODES) {
                if (e.getMessage().equals(SanlockLockDriver.acquireError(code).getMessage())) {
                    return engine.outcome(name, HaEngine.StartOutcome.LOST_RACE, "error " + code);
                }
            }
            return engine.outcome(name, HaEngine.StartOutcome.FAILED, e.getMessage());
        } catch (RuntimeException e) {
            // a start that broke unexpectedly still ends: the domain must not stay "starting"
            return engine.outcome(name, HaEngine.StartOutcome.FAILED, e.toString());
        }
    }

    private static LeaseSight look(Drivers d, DomainDef def) {
        List<LeaseSpec> leases;
        try {
            leases = d.lock().leasesFor(def);
        } catch (VirError e) {
            return LeaseSight.unknown(e.getMessage());
        }
        return exclusiveLease(leases).map(d.watch()::look)
                .orElseGet(() -> LeaseSight.unknown("no exclusive lease: HA needs one to decide where it runs"));
    }

    /** The lease that says where a domain runs: its first exclusive one. */
    public static Optional<LeaseSpec> exclusiveLease(List<LeaseSpec> leases) {
        return leases.stream().filter(l -> !l.shared()).findFirst();
    }

    private static String where(HaEngine.Seen s, boolean startedNow) {
        if (startedNow || s.runningHere()) {
            return "here";
        }
        LeaseSight l = s.lease();
        return switch (l.kind()) {
            case HELD -> switch (l.fate()) {
                case ALIVE -> "host " + l.ownerId();
                case SELF -> "here";
                case UNKNOWN -> "host " + l.ownerId() + " (not judged yet)";
                default -> "nowhere (host " + l.ownerId() + " is gone)";
            };
            case FREE, NEVER_HELD -> "nowhere";
            case UNKNOWN -> "unknown";
        };
    }

    private void record(Drivers d, String name, String reason) {
        log(name + ": " + reason);
        d.qemu().log(name, "ha: " + reason);
    }

    private void log(String line) {
        log.println(Instant.ofEpochMilli(wallMillis.getAsLong()) + " " + line);
        log.flush();
    }
}
