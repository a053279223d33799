package io.jsanlock.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Seeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The CI-sized chaos run: 4 hosts over one lease area seen through four loop devices —
 * three jsanlock daemons with the watchdog on stand-ins and one reference sanlock daemon
 * (-w 0; it gets only the faults that are safe without a watchdog), one guest each —
 * every fault kind at least once (long and short host pauses, daemon and guest kill -9,
 * read-only, slow or hung storage on one host's view, clean restart with rejoin), then the independent
 * checker: zero violations, and leases handed over between jsanlock and reference hosts
 * in both directions. Needs root and the reference sanlock (fails without them). Seed
 * from {@code -Djsanlock.seed} (printed; rerun with it or with {@code bin/chaos}).
 *
 * <p>{@code @Isolated}: the module's other slow tests run side by side, this one alone — its
 * faults (pauses, slow and hung storage) are timed against a machine that runs only this run.
 */
@Tag("slow") // the 150 s chaos run
@Isolated
class ChaosRunTest {
    @TempDir
    Path work;

    @Test
    void fourHostsOneReferenceEveryFaultKindZeroViolations() throws Exception {
        long seed = Seeds.seed(ChaosRunTest.class, 20261123L);
        int seconds = Integer.getInteger("chaos.seconds", 150);
        System.out.println("chaos run seed " + seed + " (bin/chaos --hosts 4 --guests 1 --resources 2 --seconds " + seconds
                + " --seed " + seed + " --reference-hosts 1)");
        ChaosRun run = new ChaosRun(work, System.getProperty("java.class.path"), seed, 4, 1, 2, seconds, true, System.out);
        run.referenceHosts = 1;
        HistoryChecker.Report r = run.run();
        assertThat(r.violations()).as(r.summary()).isEmpty();
        assertThat(run.injected().keySet()).as("every fault kind applied (not applied: %s)", run.notApplied())
                .containsExactlyInAnyOrder(FaultKind.values());
        assertThat(r.fires()).as("long pause and daemon kill end in a watchdog reset").isGreaterThanOrEqualTo(2);
        assertThat(r.pauses()).isGreaterThanOrEqualTo(2);
        assertThat(r.hostChanges()).as("leases changed hosts").isGreaterThanOrEqualTo(2);
        assertThat(r.acquisitions()).isGreaterThan(15);
        int toReference = 0;
        int fromReference = 0;
        for (int k = 0; k < 2; k++) {
            List<Integer> holders = new ArrayList<>();
            for (String line : Files.readAllLines(ChaosRun.journalFile(work, k))) {
                Journal.Entry e = Journal.Entry.parse(line);
                if (e.kind().equals("ACQ")) {
                    holders.add(e.host());
                }
            }
            for (int i = 1; i < holders.size(); i++) {
                toReference += holders.get(i) == 4 && holders.get(i - 1) != 4 ? 1 : 0;
                fromReference += holders.get(i) != 4 && holders.get(i - 1) == 4 ? 1 : 0;
            }
        }
        assertThat(toReference).as("handovers jsanlock → reference sanlock").isPositive();
        assertThat(fromReference).as("handovers reference sanlock → jsanlock").isPositive();
    }
}
