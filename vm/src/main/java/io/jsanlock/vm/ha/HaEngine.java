package io.jsanlock.vm.ha;

import io.jsanlock.base.MonotonicClock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The HA agent's policy, without I/O: given what the agent saw of each HA domain defined on
 * this host, decide which to start now, and say why for every domain (docs/ha.md).
 *
 * <p>Safety is not decided here: the lease is. Every host that decides to start a domain
 * tries to acquire its lease and at most one succeeds; the others get -243 (or -11, -16) and
 * stand down. This class only decides <em>when</em> to try, so that
 * <ul>
 * <li>a domain is restarted only when the instance that held its lease is gone (its host's
 * delta lease expired: host_dead_seconds, or it rejoined with a new generation), never
 * after a clean stop (a released lease: sanlock writes a release only for a live holder);</li>
 * <li>a host that lost a domain's lease to fencing (its lockspace was lost while the domain
 * ran here) never starts that domain again until an operator clears it (no flapping);</li>
 * <li>starts are placed: a higher priority and a lower load (domains running or starting
 * here) try sooner, a host already starting {@code maxConcurrentStarts} backs off, and the
 * survivors deal the candidates out among themselves by host_id ({@link #turns}) so each
 * first tries a different one;</li>
 * <li>restart storms are rate-limited: per domain ({@code maxRestarts} per
 * {@code restartWindow}) and per host ({@code stormStarts} per {@code stormWindow}).</li>
 * </ul>
 * Time comes from a {@link MonotonicClock}, so tests drive it with a manual clock.
 */
public final class HaEngine {
    /** Tunables; see {@link #defaults()}. Durations in nanoseconds. */
    public record Settings(int maxConcurrentStarts, long startSettleNanos, long priorityStepNanos, long loadStepNanos,
            int maxRestarts, long restartWindowNanos, int stormStarts, long stormWindowNanos) {
        public Settings {
            if (maxConcurrentStarts < 1 || maxRestarts < 1 || stormStarts < 1) {
                throw new IllegalArgumentException("counts must be at least 1");
            }
        }

        /**
         * Production values for io_timeout 10 (a dead host is judged after 140 s, so seconds here
         * are cheap). The load step is about the skew between two hosts' verdicts on the same dead
         * host (each daemon reads the delta leases every 2 × io_timeout), so a host that has just
         * started one domain lets a less loaded host take the next.
         */
        public static Settings defaults() {
            return new Settings(2, seconds(10), seconds(2), seconds(10), 3, seconds(600), 8, seconds(60));
        }

        public static long seconds(double s) {
            return (long) (s * 1_000_000_000L);
        }
    }

    /** What the agent saw of one HA-enabled domain defined here. */
    public record Seen(String name, HaPolicy policy, boolean runningHere, LeaseSight lease) {
    }

    public enum Action {
        /** try to start it now */
        START,
        /** it was lost here to fencing: block it on this host */
        BLOCK,
        /** it stopped here cleanly */
        STOPPED,
        /** nothing to do (running, stopped, another host's, waiting, blocked) */
        NONE
    }

    /**
     * A decision about one domain. {@code changed} is true when the reason differs from the
     * last one logged for it, so the agent logs every decision once, not every poll.
     */
    public record Decision(String name, Action action, String reason, boolean changed) {
    }

    /** How a start the engine asked for ended. */
    public enum StartOutcome { STARTED, LOST_RACE, FAILED }

    private static final class Memory {
        boolean ranHere;
        String blocked = "";
        long candidateSince = -1;
        long settleUntil = Long.MIN_VALUE;
        boolean starting;
        String lastReason;
        final Deque<Long> restarts = new ArrayDeque<>();
    }

    private final Settings settings;
    private final MonotonicClock clock;
    private final Map<String, Memory> memory = new HashMap<>();
    private final Deque<Long> hostStarts = new ArrayDeque<>();

    public HaEngine(Settings settings, MonotonicClock clock) {
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
    }

    private Memory mem(String name) {
        return memory.computeIfAbsent(name, n -> new Memory());
    }

    /** Restores what survives an agent restart: whether it ran here, and a fencing block. */
    public void restore(String name, boolean ranHere, String blocked) {
        Memory m = mem(name);
        m.ranHere = ranHere;
        m.blocked = blocked == null ? "" : blocked;
    }

    /** The operator cleared a fencing block (jvirsh ha DOMAIN --clear). */
    public void clear(String name) {
        Memory m = mem(name);
        m.blocked = "";
        m.restarts.clear();
    }

    public boolean ranHere(String name) {
        return mem(name).ranHere;
    }

    public String blocked(String name) {
        return mem(name).blocked;
    }

    /** Domains this host started or is starting and that have not settled yet. */
    public int inFlight() {
        long now = clock.nanos();
        int n = 0;
        for (Memory m : memory.values()) {
            if (m.starting || now < m.settleUntil) {
                n++;
            }
        }
        return n;
    }

    /** One poll: a decision for every domain in {@code seen}, START for those to try now. */
    public List<Decision> tick(List<Seen> seen) {
        long now = clock.nanos();
        prune(hostStarts, now - settings.stormWindowNanos());
        List<Decision> out = new ArrayList<>();
        List<Seen> candidates = new ArrayList<>();
        int runningHere = 0;
        for (Seen s : seen) {
            if (s.runningHere()) {
                runningHere++;
            }
        }
        for (Seen s : seen) {
            Memory m = mem(s.name());
            LeaseSight l = s.lease();
            if (s.runningHere()) {
                m.ranHere = true;
                m.candidateSince = -1;
                out.add(decide(s.name(), Action.NONE, "running here"));
                continue;
            }
            if (m.starting) {
                out.add(decide(s.name(), Action.NONE, "starting here"));
                continue;
            }
            if (m.ranHere) {
                // It ran here and is gone. A clean stop leaves its lease released by this
                // instance; fencing leaves it held by an instance of ours that is gone, or
                // already taken over by another host.
                if (l.kind() == LeaseSight.Kind.FREE && l.fate() == LeaseSight.Fate.SELF) {
                    m.ranHere = false;
                    out.add(decide(s.name(), Action.STOPPED, "stopped here (guest shutdown, destroy or exit; its lease"
                            + " was released): not restarted"));
                    continue;
                }
                if (l.kind() == LeaseSight.Kind.UNKNOWN || l.kind() == LeaseSight.Kind.HELD
                        && l.fate() == LeaseSight.Fate.SELF) {
                    out.add(decide(s.name(), Action.NONE, "guest gone here; waiting to see its lease ("
                            + (l.kind() == LeaseSight.Kind.UNKNOWN ? l.detail() : "still held here") + ")"));
                    continue;
                }
                m.ranHere = false;
                m.blocked = "lost its lease to fencing here (" + (l.fate() == LeaseSight.Fate.SELF_LOST
                        ? "the lockspace instance of this host that held it is gone"
                        : "host " + l.ownerId() + " took it over") + ")";
                out.add(decide(s.name(), Action.BLOCK, m.blocked + ": not started here again until `jvirsh ha "
                        + s.name() + " --clear`"));
                continue;
            }
            if (!m.blocked.isEmpty()) {
                m.candidateSince = -1;
                out.add(decide(s.name(), Action.NONE, "blocked: " + m.blocked + "; `jvirsh ha " + s.name()
                        + " --clear` to allow it here"));
                continue;
            }
            String why = restartReason(l);
            if (why == null) {
                m.candidateSince = -1;
                out.add(decide(s.name(), Action.NONE, situation(l)));
                continue;
            }
            if (m.candidateSince < 0) {
                m.candidateSince = now;
            }
            candidates.add(s);
        }
        Map<String, Integer> turns = turns(candidates);
        // a host's own turns first; then a per-host order (a hash) where turns are not known
        candidates.sort(Comparator.comparingInt((Seen s) -> -s.policy().priority())
                .thenComparingInt(s -> turns.get(s.name()))
                .thenComparingLong(s -> spread(s.name(), s.lease().myHostId())));
        int inFlight = inFlight();
        for (Seen s : candidates) {
            Memory m = mem(s.name());
            String why = restartReason(s.lease());
            prune(m.restarts, now - settings.restartWindowNanos());
            int load = runningHere + inFlight;
            int turn = turns.get(s.name());
            long delay = (HaPolicy.MAX_PRIORITY - s.policy().priority()) * settings.priorityStepNanos()
                    + (load + turn) * settings.loadStepNanos();
            if (m.restarts.size() >= settings.maxRestarts()) {
                out.add(decide(s.name(), Action.NONE, why + "; restart limit reached (" + m.restarts.size()
                        + " restarts by this host in " + secs(settings.restartWindowNanos()) + "): not restarted here"
                        + " until the window has passed"));
            } else if (hostStarts.size() >= settings.stormStarts()) {
                out.add(decide(s.name(), Action.NONE, why + "; restart storm: this host started " + hostStarts.size()
                        + " domains in " + secs(settings.stormWindowNanos()) + ", waiting"));
            } else if (inFlight >= settings.maxConcurrentStarts()) {
                out.add(decide(s.name(), Action.NONE, why + "; backing off: already starting " + inFlight
                        + " domain(s) here"));
            } else if (now - m.candidateSince < delay) {
                out.add(decide(s.name(), Action.NONE, why + "; waiting " + secs(delay) + " for its turn (priority "
                        + s.policy().priority() + ", load " + load + (turn > 0 ? ", turn " + turn : "") + ")"));
            } else {
                m.starting = true;
                m.candidateSince = -1;
                inFlight++;
                hostStarts.addLast(now);
                m.restarts.addLast(now);
                out.add(decide(s.name(), Action.START, why + ": starting it here (priority " + s.policy().priority()
                        + ", load " + load + ")"));
            }
        }
        return out;
    }

    /** Records how a start ended; returns the decision to log. */
    public Decision outcome(String name, StartOutcome outcome, String detail) {
        Memory m = mem(name);
        m.starting = false;
        switch (outcome) {
            case STARTED -> {
                m.ranHere = true;
                m.settleUntil = clock.nanos() + settings.startSettleNanos();
                return decide(name, Action.NONE, "started here (" + detail + ")");
            }
            case LOST_RACE -> {
                // not a restart by this host: another host won the lease
                m.restarts.pollLast();
                hostStarts.pollLast();
                return decide(name, Action.NONE, "another host won its lease (" + detail + "): standing down");
            }
            default -> {
                m.settleUntil = clock.nanos() + settings.startSettleNanos();
                return decide(name, Action.NONE, "start failed here (" + detail + ")");
            }
        }
    }

    /** Why the lease says the domain must be restarted, or null when it must not. */
    static String restartReason(LeaseSight l) {
        if (l.kind() != LeaseSight.Kind.HELD || !l.ownerGone()) {
            return null;
        }
        return switch (l.fate()) {
            case DEAD -> "its lease is held by host " + l.ownerId() + ", which is dead (delta lease expired)";
            case REJOINED -> "its lease is held by host " + l.ownerId() + " generation " + l.ownerGeneration()
                    + ", an instance that is gone (the host rejoined)";
            default -> "its lease is held by an instance of this host (generation " + l.ownerGeneration()
                    + ") that is gone";
        };
    }

    private static String situation(LeaseSight l) {
        return switch (l.kind()) {
            case UNKNOWN -> "cannot judge: " + l.detail();
            case NEVER_HELD -> "never started (its lease was never held)";
            case FREE -> "stopped (its lease was released by host " + l.ownerId() + "): not restarted";
            case HELD -> switch (l.fate()) {
                case SELF -> "held here (starting or stopping)";
                case ALIVE -> "running on host " + l.ownerId();
                default -> "held by host " + l.ownerId() + ", not judged dead yet";
            };
        };
    }

    private Decision decide(String name, Action action, String reason) {
        Memory m = mem(name);
        boolean changed = !reason.equals(m.lastReason) || action != Action.NONE;
        m.lastReason = reason;
        return new Decision(name, action, reason, changed);
    }

    private static void prune(Deque<Long> times, long before) {
        while (!times.isEmpty() && times.peekFirst() < before) {
            times.pollFirst();
        }
    }

    /**
     * Each candidate's turn on this host, in load steps: the survivors deal the candidates out
     * among themselves so that, when they see the same dead host at about the same time, each
     * first tries a different domain instead of racing for the same lease. Candidates of one
     * priority, in name order, go round the live hosts of their lockspace in host_id order:
     * the i-th candidate is the turn-0 domain of the live host of rank i mod n, and the other
     * hosts' turns for it come one load step later per rank between. Every host computes the
     * same deal from the same view (its daemon's GET_HOSTS), with no message between hosts.
     * Where views differ (a verdict not reached yet, a domain not defined everywhere), two hosts
     * may try the same domain at once; the lease still lets exactly one win (the others stand
     * down), so turns only place starts, they never decide who may run. Without a view of the
     * live hosts a candidate has turn 0 and the per-host hash order spreads the attempts.
     */
    static Map<String, Integer> turns(List<Seen> candidates) {
        Map<String, Integer> turns = new HashMap<>();
        List<Seen> byName = new ArrayList<>(candidates);
        byName.sort(Comparator.comparingInt((Seen s) -> -s.policy().priority()).thenComparing(Seen::name));
        int index = 0;
        int priority = Integer.MIN_VALUE;
        for (Seen s : byName) {
            if (s.policy().priority() != priority) {
                priority = s.policy().priority();
                index = 0;
            }
            List<Long> live = s.lease().liveHosts();
            int rank = live.indexOf(s.lease().myHostId());
            turns.put(s.name(), rank < 0 ? 0 : Math.floorMod(index - rank, live.size()));
            index++;
        }
        return turns;
    }

    static long spread(String name, long hostId) {
        long h = name.hashCode() * 0x9E3779B97F4A7C15L ^ (hostId + 1) * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        return h * 0x94D049BB133111EBL;
    }

    private static String secs(long nanos) {
        return Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L) + " s";
    }
}
