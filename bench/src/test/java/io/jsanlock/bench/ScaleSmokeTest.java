package io.jsanlock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.dist.LeaseDaemonProcess;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * bin/bench-scale's machinery on a small shape (io_timeout 1: 4 lockspaces, 64 held leases,
 * 4 churners for 4 s; a 12-host lockspace of 10 engines and both daemons): every figure the
 * report prints comes out and is sane (counts add up, p50 ≤ p99, renewals spaced about 2N).
 * Not a timing goal: on a loaded machine a renewal may be slow, so no latency bound is asserted.
 */
@Tag("slow") // a daemon joined to many lockspaces plus a many-host lockspace (~35 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
@Execution(ExecutionMode.CONCURRENT) // beside the other smoke test: bench/src/test/resources/junit-platform.properties
class ScaleSmokeTest {
    @Test
    void smallShapeProducesEveryFigure(@TempDir Path dir) throws Exception {
        Path jar = BenchSmokeTest.REPO.resolve("dist/target/jsanlock.jar");
        Path peer = BenchSmokeTest.shared().resolve("peer/start-daemon.sh");
        assertThat(jar).as("packaged jar (dist runs before bench)").exists();
        assertThat(peer).as("reference start script").exists();
        List<String> cli = List.of(BenchSmokeTest.REPO.resolve("bin/jsanlock").toString());
        LeaseDaemonProcess.Launchers launchers = new LeaseDaemonProcess.Launchers(
                List.of(BenchSmokeTest.REPO.resolve("bin/jsanlock").toString(), "daemon"), peer);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true);

        ScaleDaemonRun.Shape a = new ScaleDaemonRun.Shape(4, 64, 16, 4, 4, 4, 1);
        ScaleDaemonRun.Result r = ScaleDaemonRun.run(DaemonKind.JSANLOCK, a, dir.resolve("a"), launchers, ps);
        assertThat(r.joined()).as("lockspaces joined\n%s", log).isEqualTo(4);
        assertThat(r.heldLeases()).isEqualTo(64);
        assertThat(r.holdFailures()).isZero();
        assertThat(r.churnAcquires()).isPositive();
        assertThat(r.churnFailures()).as("first failure %s", r.firstChurnFailure()).isZero();
        assertThat(r.churnAcquireMs()).hasSize((int) r.churnAcquires());
        assertThat(Stats.percentile(r.churnAcquireMs(), 50)).isPositive()
                .isLessThanOrEqualTo(Stats.percentile(r.churnAcquireMs(), 99));
        RenewalStats rs = r.renewals();
        assertThat(rs.sources).isEqualTo(4);
        assertThat(rs.count()).as("renewals in a 4 s window at io_timeout 1").isGreaterThanOrEqualTo(4);
        assertThat(rs.perSourceP99).hasSize(4 - rs.silentSources);
        assertThat(Stats.percentile(rs.latencies, 50)).isLessThanOrEqualTo(Stats.percentile(rs.latencies, 99));
        assertThat(rs.gaps).as("renewals spaced 2N, never 6N").allSatisfy(g -> assertThat(g).isBetween(1.0, 5.0));
        assertThat(r.lockspacesLostAtEnd()).isZero();
        assertThat(r.idle().rssMiB()).isPositive();
        assertThat(r.peak().rssMiB()).isGreaterThanOrEqualTo(r.idle().rssMiB());
        assertThat(r.peak().threads()).isGreaterThanOrEqualTo(r.idle().threads()).isPositive();
        assertThat(r.churnCpuSeconds()).isPositive();
        String table = ScaleReport.daemonTable(List.of(r));
        assertThat(table).contains("| churn: acquires/s, 4 clients |", "| goal: no warning, renewal p99 < 250 ms");
        assertThat(dir.resolve("a/scale-leases.img")).as("lease file removed").doesNotExist();

        ScaleHostsRun.Result h = ScaleHostsRun.run(new ScaleHostsRun.Shape(12, 1, 4, true), dir.resolve("b"), launchers, cli, ps);
        assertThat(h.engines()).isEqualTo(10);
        assertThat(h.joined()).as("engines joined\n%s", log).isEqualTo(10);
        assertThat(h.renewals().count()).as("engine renewals in a 4 s window").isGreaterThanOrEqualTo(10);
        assertThat(h.renewals().gaps).allSatisfy(g -> assertThat(g).isBetween(1.0, 5.0));
        assertThat(h.timings()).extracting(ScaleHostsRun.Timing::what).hasSize(7);
        assertThat(h.timings()).allSatisfy(t -> assertThat(t.medianSeconds()).as(t.what()).isPositive()
                .isLessThanOrEqualTo(t.maxSeconds()));
        assertThat(h.timings().getFirst().reported()).as("live hosts seen by an engine").isBetween(1, 12);
        assertThat(h.timings().subList(1, 7)).as("host records, host_status lines, dump lines: one per host at least")
                .allSatisfy(t -> assertThat(t.reported()).as(t.what()).isGreaterThanOrEqualTo(12));
        assertThat(ScaleReport.hostsTable(h)).contains("| all renewals on time |");
        assertThat(dir.resolve("b/scale-hosts.img")).as("lockspace file removed").doesNotExist();
    }
}
