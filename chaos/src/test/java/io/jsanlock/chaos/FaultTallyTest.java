package io.jsanlock.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class FaultTallyTest {
    @Test
    void aFaultPickedButNotAppliedIsNotCountedAsCovered() {
        FaultTally t = new FaultTally(EnumSet.of(FaultKind.STORAGE_SLOW, FaultKind.KILL_GUEST), 10);
        t.taken(FaultKind.STORAGE_SLOW);
        t.notApplied(FaultKind.STORAGE_SLOW, "cannot throttle");
        t.taken(FaultKind.KILL_GUEST);
        t.applied(FaultKind.KILL_GUEST);

        assertThat(t.applied()).containsOnlyKeys(FaultKind.KILL_GUEST);
        assertThat(t.notApplied()).containsEntry(FaultKind.STORAGE_SLOW, "cannot throttle");
    }

    @Test
    void aFirstRoundKindThatWasNotAppliedIsRetriedABoundedNumberOfTimes() {
        FaultTally t = new FaultTally(EnumSet.of(FaultKind.KILL_GUEST), 2);
        t.taken(FaultKind.KILL_GUEST);
        assertThat(t.retry()).as("still running: not retried").isEmpty();

        t.notApplied(FaultKind.KILL_GUEST, "no live guest");
        assertThat(t.retry()).containsExactly(FaultKind.KILL_GUEST);
        assertThat(t.retry()).as("taken again by the retry").isEmpty();
        t.notApplied(FaultKind.KILL_GUEST, "no live guest");
        assertThat(t.retry()).containsExactly(FaultKind.KILL_GUEST);
        t.notApplied(FaultKind.KILL_GUEST, "no live guest");
        assertThat(t.retry()).as("retries exhausted").isEmpty();
    }

    @Test
    void anAppliedKindIsNotRetriedEvenIfAnotherAttemptFailed() {
        FaultTally t = new FaultTally(EnumSet.of(FaultKind.RESTART), 5);
        t.taken(FaultKind.RESTART);
        t.applied(FaultKind.RESTART);
        t.notApplied(FaultKind.RESTART, "daemon stayed up");
        assertThat(t.retry()).isEmpty();
        assertThat(t.applied()).containsEntry(FaultKind.RESTART, 1);
    }
}
