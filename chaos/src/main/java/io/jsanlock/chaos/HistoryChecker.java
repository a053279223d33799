package io.jsanlock.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a run from its journals alone (it trusts nothing the daemons say):
 * <ol>
 * <li>each (resource, lver) has exactly one holder (host, pid);</li>
 * <li>per resource, successive holdings have strictly increasing lver;</li>
 * <li>no two holders at once: a holding's last use (its last stamp, or its release) is
 * before the next holding's acquire — with the guard's own STALE reports counted too;</li>
 * <li>every guest that held a lease when its host was paused was gone (its exit seen by
 * the harness) or had released that lease before another host acquired it.</li>
 * </ol>
 */
public final class HistoryChecker {
    private HistoryChecker() {}

    /** One holding: acquire to last use. */
    record Holding(int resource, long lver, int host, long pid, long acquired, long lastUse, boolean released) {}

    public record Report(int acquisitions, int handovers, int hostChanges, List<String> violations, int pauses, int fires) {
        public boolean ok() {
            return violations.isEmpty();
        }

        public String summary() {
            return "checker: " + acquisitions + " acquisitions, " + handovers + " handovers (" + hostChanges
                    + " between hosts), " + pauses + " host pauses, " + fires + " watchdog firings, "
                    + violations.size() + " violations" + (violations.isEmpty() ? "" : ":\n  " + String.join("\n  ", violations));
        }
    }

    public static Report check(Path work, int resources) throws IOException {
        List<String> violations = new ArrayList<>();
        List<Journal.Entry> faults = read(work.resolve("journal").resolve("faults.log"));
        // pid -> exit times in order: pids are reused over a long run, so a holding is matched
        // with the first exit of its pid after it began, never with a later process's exit
        Map<Long, List<Long>> exits = new HashMap<>();
        int pauses = 0;
        int fires = 0;
        for (Journal.Entry e : faults) {
            switch (e.kind()) {
                case "EXIT" -> exits.computeIfAbsent(e.pid(), x -> new ArrayList<>()).add(e.nanos());
                case "PAUSE" -> pauses++;
                case "FIRE" -> fires++;
                default -> { }
            }
        }
        int acquisitions = 0;
        int handovers = 0;
        int hostChanges = 0;
        for (int k = 0; k < resources; k++) {
            List<Journal.Entry> es = read(ChaosRun.journalFile(work, k));
            Map<Long, Holding> byLver = new LinkedHashMap<>();
            for (Journal.Entry e : es) {
                if (e.kind().equals("STALE")) {
                    violations.add("r" + k + ": guest " + e.pid() + " (host " + e.host() + ", lver " + e.lver()
                            + ") found another holder's stamp in the guarded record: " + e.detail());
                }
                Holding h = byLver.get(e.lver());
                if (e.kind().equals("ACQ")) {
                    if (h != null) {
                        violations.add("r" + k + ": lver " + e.lver() + " acquired twice: host " + h.host() + " pid " + h.pid()
                                + " and host " + e.host() + " pid " + e.pid());
                        continue;
                    }
                    byLver.put(e.lver(), new Holding(k, e.lver(), e.host(), e.pid(), e.nanos(), e.nanos(), false));
                } else if (h != null && (e.kind().equals("HOLD") || e.kind().equals("REL"))) {
                    if (h.pid() != e.pid()) {
                        violations.add("r" + k + ": lver " + e.lver() + " used by pid " + e.pid() + " but held by " + h.pid());
                    }
                    byLver.put(e.lver(), new Holding(k, h.lver(), h.host(), h.pid(), h.acquired(),
                            Math.max(h.lastUse(), e.nanos()), h.released() || e.kind().equals("REL")));
                }
            }
            List<Holding> hs = new ArrayList<>(byLver.values());
            hs.sort((a, b) -> Long.compare(a.acquired(), b.acquired()));
            acquisitions += hs.size();
            for (int i = 1; i < hs.size(); i++) {
                Holding prev = hs.get(i - 1);
                Holding next = hs.get(i);
                handovers++;
                if (prev.host() != next.host()) {
                    hostChanges++;
                }
                if (next.lver() <= prev.lver()) {
                    violations.add("r" + k + ": lver went from " + prev.lver() + " to " + next.lver() + " (host " + next.host() + ")");
                }
                // every earlier holding, not just the previous one, must be over
                for (int j = 0; j < i; j++) {
                    Holding old = hs.get(j);
                    if (old.lastUse() >= next.acquired()) {
                        violations.add("r" + k + ": two holders at once: lver " + old.lver() + " (host " + old.host() + " pid "
                                + old.pid() + ") used it " + ms(old.lastUse() - next.acquired()) + " after lver " + next.lver()
                                + " (host " + next.host() + ") acquired it");
                    }
                }
            }
            // fencing of paused hosts
            for (Journal.Entry p : faults) {
                if (!p.kind().equals("PAUSE")) {
                    continue;
                }
                for (int i = 0; i < hs.size(); i++) {
                    Holding h = hs.get(i);
                    // the pause fell within the holding: a paused guest stops using the lease at
                    // the pause, so its last use is no earlier than 1 s (10 uses) before it
                    boolean holdingAtPause = h.host() == p.host() && h.acquired() <= p.nanos()
                            && p.nanos() <= h.lastUse() + 1_000_000_000L
                            && !(h.released() && h.lastUse() < p.nanos());
                    if (!holdingAtPause || i + 1 >= hs.size()) {
                        continue;
                    }
                    Holding next = hs.get(i + 1);
                    if (next.host() == h.host()) {
                        continue;
                    }
                    Long exit = firstAfter(exits.get(h.pid()), h.acquired());
                    boolean fenced = exit != null && exit < next.acquired();
                    boolean released = h.released() && h.lastUse() < next.acquired();
                    if (!fenced && !released) {
                        violations.add("r" + k + ": host " + h.host() + " paused while guest " + h.pid() + " held lver " + h.lver()
                                + ", but host " + next.host() + " took the lease (lver " + next.lver() + ") before that guest was gone");
                    }
                }
            }
        }
        return new Report(acquisitions, handovers, hostChanges, violations, pauses, fires);
    }

    private static Long firstAfter(List<Long> times, long t) {
        if (times != null) {
            for (long x : times) {
                if (x >= t) {
                    return x;
                }
            }
        }
        return null;
    }

    private static String ms(long nanos) {
        return nanos / 1_000_000 + " ms";
    }

    private static List<Journal.Entry> read(Path f) throws IOException {
        List<Journal.Entry> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        for (String line : Files.readAllLines(f)) {
            if (!line.isBlank()) {
                out.add(Journal.Entry.parse(line));
            }
        }
        return out;
    }
}
