package io.jsanlock.bench;

import static io.jsanlock.bench.ScaleMain.fmt;

import java.util.List;
import java.util.function.Function;

/** The Markdown tables of {@code bin/bench-scale}. */
final class ScaleReport {
    private ScaleReport() {
    }

    /** Whether part A met issue 18's goal: no renewal warning or failure, renewal p99 under 25% of io_timeout. */
    static boolean goalMet(ScaleDaemonRun.Result r) {
        int n = r.shape().ioTimeout();
        RenewalStats s = r.renewals();
        return r.troubleLines().isEmpty() && s.failedAttempts == 0 && r.lockspacesLostAtEnd() == 0 && s.silentSources == 0
                && r.joined() == r.shape().lockspaces() && r.holdFailures() == 0 && s.maxGapAll < 6L * n
                && Stats.percentile(s.latencies, 99) < 0.25 * n * 1000;
    }

    static String daemonTable(List<ScaleDaemonRun.Result> rs) {
        ScaleDaemonRun.Shape sh = rs.getFirst().shape();
        int n = sh.ioTimeout();
        StringBuilder b = new StringBuilder();
        b.append("Part A: one daemon, ").append(sh.lockspaces()).append(" lockspaces (host_id 1, io_timeout ").append(n)
                .append("), ").append(sh.leases()).append(" leases held by ").append(sh.holders()).append(" registrations of ")
                .append(sh.leasesPerClient()).append(", ").append(sh.churners()).append(" registrations churning acquire+release over ")
                .append(sh.churnResourcesEach()).append(" resources each for ").append(fmt(sh.churnSeconds()))
                .append(" s; renewal figures from each lockspace's renewal history (read_ms + write_ms) in the churn window\n\n");
        b.append("| measure |");
        rs.forEach(r -> b.append(' ').append(r.kind().label).append(" |"));
        b.append("\n|---|");
        rs.forEach(r -> b.append("---|"));
        b.append('\n');
        row(b, rs, "lockspaces joined / join of all (s)", r -> r.joined() + " / " + fmt(r.joinSeconds()));
        row(b, rs, "leases held (failed) / acquiring all (s)", r -> r.heldLeases() + " (" + r.holdFailures() + ") / "
                + fmt(r.acquireAllSeconds()));
        row(b, rs, "churn: acquires/s, " + sh.churners() + " clients", r -> fmt(r.churnRate()));
        row(b, rs, "churn: acquire p50 / p99 (ms)", r -> fmt(Stats.percentile(r.churnAcquireMs(), 50)) + " / "
                + fmt(Stats.percentile(r.churnAcquireMs(), 99)));
        row(b, rs, "churn: failed acquires", r -> String.valueOf(r.churnFailures()));
        row(b, rs, "renewals in the window (lockspaces with none)", r -> r.renewals().count() + " (" + r.renewals().silentSources + ")");
        row(b, rs, "renewal latency p50 / p99, all lockspaces (ms)", r -> fmt(Stats.percentile(r.renewals().latencies, 50))
                + " / " + fmt(Stats.percentile(r.renewals().latencies, 99)));
        row(b, rs, "per-lockspace renewal p50: median / max (ms)", r -> fmt(Stats.median(r.renewals().perSourceP50)) + " / "
                + fmt(Stats.max(r.renewals().perSourceP50)));
        row(b, rs, "per-lockspace renewal p99: median / max (ms)", r -> fmt(Stats.median(r.renewals().perSourceP99)) + " / "
                + fmt(Stats.max(r.renewals().perSourceP99)));
        row(b, rs, "slowest renewal read / write (ms)", r -> r.renewals().maxReadMs + " / " + r.renewals().maxWriteMs);
        row(b, rs, "gap between renewals p50 / max, window (s; on time: " + 2 * n + "-" + (2 * n + 2) + ")",
                r -> fmt(Stats.median(r.renewals().gaps)) + " / " + fmt(Stats.max(r.renewals().gaps)));
        row(b, rs, "largest gap of the whole run (s; warning at " + 6 * n + ")", r -> String.valueOf(r.renewals().maxGapAll));
        row(b, rs, "failed renewal attempts / lockspaces lost", r -> r.renewals().failedAttempts + " / " + r.lockspacesLostAtEnd());
        row(b, rs, "log lines: warning, slow, failed renewal", r -> String.valueOf(r.troubleLines().size()));
        row(b, rs, "daemon RSS (MiB): joined / holding / peak", r -> fmt(r.idle().rssMiB()) + " / " + fmt(r.holding().rssMiB())
                + " / " + fmt(r.peak().rssMiB()));
        row(b, rs, "daemon threads: joined / holding / peak", r -> r.idle().threads() + " / " + r.holding().threads() + " / "
                + r.peak().threads());
        row(b, rs, "daemon CPU during the churn (CPU s per s)", r -> fmt(r.churnCpuSeconds() / r.churnSeconds()));
        row(b, rs, "goal: no warning, renewal p99 < " + 250 * n + " ms (25% of io_timeout)", r -> goalMet(r) ? "met" : "NOT met");
        for (ScaleDaemonRun.Result r : rs) {
            if (r.firstHoldFailure() != null) {
                b.append("\n").append(r.kind().label).append(", first failed hold: ").append(r.firstHoldFailure());
            }
            if (r.firstChurnFailure() != null) {
                b.append("\n").append(r.kind().label).append(", first failed churn acquire: ").append(r.firstChurnFailure());
            }
            if (!r.troubleLines().isEmpty()) {
                b.append("\n").append(r.kind().label).append(", first log line of trouble: `").append(r.troubleLines().getFirst())
                        .append("`");
            }
        }
        return b.append('\n').toString();
    }

    private static void row(StringBuilder b, List<ScaleDaemonRun.Result> rs, String label, Function<ScaleDaemonRun.Result, String> f) {
        b.append("| ").append(label).append(" |");
        rs.forEach(r -> b.append(' ').append(f.apply(r)).append(" |"));
        b.append('\n');
    }

    /** Whether every engine's renewals in the window were on time (every gap within 2N + 2 s) and none failed. */
    static boolean allOnTime(ScaleHostsRun.Result r) {
        RenewalStats s = r.renewals();
        return s.failedAttempts == 0 && r.lost() == 0 && s.silentSources == 0 && r.joined() == r.engines()
                && s.gapsOver(2.0 * r.shape().ioTimeout() + 2) == 0;
    }

    static String hostsTable(ScaleHostsRun.Result r) {
        int n = r.shape().ioTimeout();
        RenewalStats s = r.renewals();
        StringBuilder b = new StringBuilder();
        b.append("Part B: one lockspace of ").append(r.shape().hosts()).append(" hosts on one sparse file, io_timeout ").append(n)
                .append(": ").append(r.engines()).append(" embedded engines in one JVM")
                .append(r.engines() < r.shape().hosts() ? " + the jsanlock and reference daemons as two more hosts" : "")
                .append("; window ").append(fmt(r.windowSeconds())).append(" s after all joined\n\n");
        b.append("| measure | value |\n|---|---|\n");
        b.append("| engines joined / all joined after (s) | ").append(r.joined()).append(" / ").append(fmt(r.joinSeconds())).append(" |\n");
        b.append("| engine renewals in the window (per s; expected ~").append(fmt(r.engines() / (2.0 * n + 1))).append(") | ")
                .append(s.count()).append(" (").append(fmt(s.count() / r.windowSeconds())).append(") |\n");
        b.append("| renewal latency p50 / p99 (ms) | ").append(fmt(Stats.percentile(s.latencies, 50))).append(" / ")
                .append(fmt(Stats.percentile(s.latencies, 99))).append(" |\n");
        b.append("| slowest renewal read / write (ms) | ").append(s.maxReadMs).append(" / ").append(s.maxWriteMs).append(" |\n");
        b.append("| gap between renewals p50 / p99 / max (s) | ").append(fmt(Stats.median(s.gaps))).append(" / ")
                .append(fmt(Stats.percentile(s.gaps, 99))).append(" / ").append(fmt(Stats.max(s.gaps))).append(" |\n");
        b.append("| gaps over ").append(2 * n + 2).append(" s / largest gap of the run (s; warning at ").append(6 * n).append(") | ")
                .append(s.gapsOver(2.0 * n + 2)).append(" / ").append(s.maxGapAll).append(" |\n");
        b.append("| failed renewal attempts / hosts with no renewal in the window / lockspaces lost | ").append(s.failedAttempts)
                .append(" / ").append(s.silentSources).append(" / ").append(r.lost()).append(" |\n");
        b.append("| all renewals on time | ").append(allOnTime(r) ? "yes" : "NO").append(" |\n");
        b.append("| simulator JVM: peak RSS (MiB) / peak threads / CPU s per s in the window | ").append(fmt(r.simulator().rssMiB()))
                .append(" / ").append(r.simulator().threads()).append(" / ").append(fmt(r.simulatorCpuSeconds() / r.windowSeconds()))
                .append(" |\n");
        for (ScaleHostsRun.Timing t : r.timings()) {
            b.append("| ").append(t.what()).append(": median [max] s (hosts or lines) | ").append(fmt(t.medianSeconds())).append(" [")
                    .append(fmt(t.maxSeconds())).append("] (").append(t.reported()).append(") |\n");
        }
        return b.toString();
    }
}
