package io.jsanlock.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker catches each kind of violation in a hand-written history, and passes a clean one. */
class HistoryCheckerTest {
    @TempDir
    Path work;

    @BeforeEach
    void dirs() throws Exception {
        Files.createDirectories(work.resolve("journal"));
    }

    void journal(String name, String... lines) throws Exception {
        Files.writeString(work.resolve("journal").resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void cleanHandoverPasses() throws Exception {
        journal("faults.log", "100 PAUSE 1 75 500 PAUSE_LONG", "150 EXIT 1 0 11 status 137");
        journal("r0.log", "10 ACQ 1 1 11", "20 HOLD 1 1 11", "90 HOLD 1 1 11", "200 ACQ 2 2 22", "210 HOLD 2 2 22", "220 REL 2 2 22");
        HistoryChecker.Report r = HistoryChecker.check(work, 1);
        assertThat(r.violations()).isEmpty();
        assertThat(r.handovers()).isEqualTo(1);
        assertThat(r.hostChanges()).isEqualTo(1);
    }

    /** Seen in a 5000 s run: a later process with the fenced guest's pid must not hide its exit. */
    @Test
    void aReusedPidDoesNotHideTheFencedGuestsExitNorDoLaterPausesCountAgain() throws Exception {
        journal("faults.log", "100 PAUSE 1 75 500 PAUSE_LONG", "150 EXIT 1 0 11 status 137",
                "3000000000 PAUSE 1 20 500 PAUSE_SHORT", "4000000000 GUEST 1 0 11", "5000000000 EXIT 1 0 11 status 4");
        journal("r0.log", "10 ACQ 1 1 11", "20 HOLD 1 1 11", "90 HOLD 1 1 11", "200 ACQ 2 2 22", "210 HOLD 2 2 22",
                "220 REL 2 2 22");
        HistoryChecker.Report r = HistoryChecker.check(work, 1);
        assertThat(r.violations()).isEmpty();

        journal("faults.log", "100 PAUSE 1 75 500 PAUSE_LONG", "250 EXIT 1 0 11 status 137",
                "3000000000 PAUSE 1 20 500 PAUSE_SHORT", "4000000000 GUEST 1 0 11", "5000000000 EXIT 1 0 11 status 4");
        assertThat(HistoryChecker.check(work, 1).violations()).as("gone only after the takeover: one violation, once")
                .containsExactly("r0: host 1 paused while guest 11 held lver 1, but host 2 took the lease (lver 2) before that guest was gone");
    }

    @Test
    void overlapLverOrderDoubleLverStaleAndUnfencedPauseAreCaught() throws Exception {
        journal("faults.log", "100 PAUSE 1 75 500 PAUSE_LONG", "300 EXIT 1 0 11 status 137");
        journal("r0.log",
                "10 ACQ 1 5 11", "20 HOLD 1 5 11",
                "200 ACQ 2 6 22", "210 HOLD 2 6 22", // taken while guest 11 (paused host) still alive: unfenced
                "250 HOLD 1 5 11",                   // the paused guest used it after the takeover: overlap
                "260 STALE 2 6 22 record holds 1 5 11",
                "400 ACQ 3 4 33",                    // lver went backwards
                "500 ACQ 1 4 44");                   // lver 4 twice
        HistoryChecker.Report r = HistoryChecker.check(work, 1);
        assertThat(r.violations()).anyMatch(v -> v.contains("two holders at once"))
                .anyMatch(v -> v.contains("lver went from 6 to 4"))
                .anyMatch(v -> v.contains("acquired twice"))
                .anyMatch(v -> v.contains("found another holder's stamp"))
                .anyMatch(v -> v.contains("before that guest was gone"));
    }
}
