package io.jsanlock.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized chaos run: 3 hosts (jsanlock daemons with the watchdog on stand-ins, one
 * guest each) over one lease area seen through three loop devices, every fault kind at
 * least once (long and short host pauses, daemon and guest kill -9, read-only storage on
 * one host's view, clean restart with rejoin), then the independent checker: zero
 * violations. Seed from {@code -Dchaos.seed} (printed; rerun with {@code bin/chaos}).
 */
class ChaosRunTest {
    @TempDir
    Path work;

    @Test
    void threeHostsEveryFaultKindZeroViolations() throws Exception {
        long seed = Long.getLong("chaos.seed", 20261123L);
        int seconds = Integer.getInteger("chaos.seconds", 150);
        System.out.println("chaos run seed " + seed + " (bin/chaos --hosts 3 --guests 1 --resources 2 --seconds " + seconds
                + " --seed " + seed + ")");
        ChaosRun run = new ChaosRun(work, System.getProperty("java.class.path"), seed, 3, 1, 2, seconds, true, System.out);
        HistoryChecker.Report r = run.run();
        assertThat(r.violations()).as(r.summary()).isEmpty();
        assertThat(run.injected().keySet()).as("every fault kind injected").containsExactlyInAnyOrder(FaultKind.values());
        assertThat(r.fires()).as("long pause and daemon kill end in a watchdog reset").isGreaterThanOrEqualTo(2);
        assertThat(r.pauses()).isGreaterThanOrEqualTo(2);
        assertThat(r.hostChanges()).as("leases changed hosts").isGreaterThanOrEqualTo(2);
        assertThat(r.acquisitions()).isGreaterThan(20);
    }
}
