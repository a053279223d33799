package io.jsanlock.bench;

import io.jsanlock.wire.StateRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renewal timing of many lockspaces (or many hosts of one lockspace), from the renewal
 * history each keeps ({@code sanlock client renewal}: timestamp, read_ms, write_ms,
 * next_timeouts, next_errors per successful renewal, the join first). Renewal latency is
 * read_ms + write_ms, the time the renewal's two I/Os took; the gap is the time between two
 * successive successful renewals (2N + 0.5..1.5 s when on time; sanlock warns at 6N).
 */
final class RenewalStats {
    /** One record of a renewal history. */
    record Renewal(long timestamp, long readMs, long writeMs, int timeouts, int errors) {
        long latencyMs() {
            return readMs + writeMs;
        }

        static Renewal of(StateRecord r) {
            Map<String, String> f = r.fields();
            return new Renewal(Long.parseLong(f.get("timestamp")), Long.parseLong(f.get("read_ms")),
                    Long.parseLong(f.get("write_ms")), Integer.parseInt(f.get("next_timeouts")),
                    Integer.parseInt(f.get("next_errors")));
        }

        static Renewal of(io.jsanlock.engine.RenewalRecord r) {
            return new Renewal(r.timestamp(), r.readMillis(), r.writeMillis(), r.timeouts(), r.errors());
        }
    }

    /** Latencies (ms) of the renewals in the window, all sources pooled. */
    final List<Double> latencies = new ArrayList<>();
    /** Per source, the p99 (ms) of its renewals in the window. */
    final List<Double> perSourceP99 = new ArrayList<>();
    /** Per source, the p50 (ms) of its renewals in the window. */
    final List<Double> perSourceP50 = new ArrayList<>();
    /** Gaps (s) between successive renewals whose later one is in the window. */
    final List<Double> gaps = new ArrayList<>();
    /** The largest gap (s) anywhere in the histories, the window or not, and to {@code now}. */
    long maxGapAll;
    /** Failed renewal attempts (timeouts + other errors) anywhere in the histories. */
    long failedAttempts;
    /** Sources with no renewal in the window at all. */
    int silentSources;
    int sources;
    long maxReadMs;
    long maxWriteMs;

    /**
     * Adds one source's history (oldest first, the join record first), counting the renewals
     * whose timestamp lies in [{@code from}, {@code to}] (monotonic seconds); {@code now} closes
     * the last gap.
     */
    void add(List<Renewal> history, long from, long to, long now) {
        sources++;
        List<Double> mine = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            Renewal r = history.get(i);
            failedAttempts += r.timeouts() + r.errors();
            if (i > 0) {
                long gap = r.timestamp() - history.get(i - 1).timestamp();
                maxGapAll = Math.max(maxGapAll, gap);
                if (r.timestamp() >= from && r.timestamp() <= to) {
                    gaps.add((double) gap);
                    mine.add((double) r.latencyMs());
                    maxReadMs = Math.max(maxReadMs, r.readMs());
                    maxWriteMs = Math.max(maxWriteMs, r.writeMs());
                }
            }
        }
        if (!history.isEmpty()) {
            maxGapAll = Math.max(maxGapAll, now - history.getLast().timestamp());
        }
        if (mine.isEmpty()) {
            silentSources++;
            return;
        }
        latencies.addAll(mine);
        perSourceP50.add(Stats.percentile(mine, 50));
        perSourceP99.add(Stats.percentile(mine, 99));
    }

    int count() {
        return latencies.size();
    }

    /** Gaps longer than {@code limit} seconds. */
    long gapsOver(double limit) {
        return gaps.stream().filter(g -> g > limit).count();
    }
}
