package io.jsanlock.chaos;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which faults a chaos run really applied. A fault counts only once it took effect on its host
 * (the host was stopped, the guest killed, the device made read-only, the throttle set, the daemon
 * exited): a run whose throttle could not be set up, or whose daemon stayed up after SIGTERM,
 * must not claim that fault kind as covered. Kinds of the first round (every kind once) that were
 * picked but not applied go back into it, a bounded number of times. Thread-safe: faults are
 * applied on their own threads.
 */
final class FaultTally {
    private final Map<FaultKind, Integer> applied = new EnumMap<>(FaultKind.class);
    private final Map<FaultKind, String> notApplied = new EnumMap<>(FaultKind.class);
    private final Set<FaultKind> firstRound;
    private final Set<FaultKind> taken = EnumSet.noneOf(FaultKind.class);
    private final int maxRetries;
    private int retries;

    FaultTally(Set<FaultKind> firstRound, int maxRetries) {
        this.firstRound = firstRound.isEmpty() ? EnumSet.noneOf(FaultKind.class) : EnumSet.copyOf(firstRound);
        this.maxRetries = maxRetries;
    }

    /** A first-round kind was picked (its injection is running). */
    synchronized void taken(FaultKind kind) {
        taken.add(kind);
    }

    synchronized void applied(FaultKind kind) {
        applied.merge(kind, 1, Integer::sum);
    }

    synchronized void notApplied(FaultKind kind, String reason) {
        notApplied.put(kind, reason);
        taken.remove(kind);
    }

    /** First-round kinds to pick again: picked before, never applied, not running now (bounded). */
    synchronized List<FaultKind> retry() {
        List<FaultKind> again = new ArrayList<>();
        for (FaultKind k : firstRound) {
            if (retries < maxRetries && !taken.contains(k) && !applied.containsKey(k) && notApplied.containsKey(k)) {
                again.add(k);
                taken.add(k);
                retries++;
            }
        }
        return again;
    }

    synchronized Map<FaultKind, Integer> applied() {
        return Map.copyOf(applied);
    }

    synchronized Map<FaultKind, String> notApplied() {
        return Map.copyOf(notApplied);
    }
}
