package io.jsanlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
    final ManualScheduler time = new ManualScheduler(100);
    final ExecutorService pool = Executors.newCachedThreadPool();
    final List<String> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void tasksRunAtTheirExactInstantInDueOrderAndOnlyWhenTheTestAdvances() {
        time.schedule(pool, () -> seen.add("late " + time.nanos()), 1_500_000_000L);
        time.schedule(pool, () -> seen.add("early " + time.nanos()), 500_000_000L);
        assertThat(seen).isEmpty();
        time.advance(Duration.ofSeconds(1));
        assertThat(seen).containsExactly("early 100500000000");
        assertThat(time.nanos()).isEqualTo(101_000_000_000L);
        time.advance(Duration.ofSeconds(1));
        assertThat(seen).containsExactly("early 100500000000", "late 101500000000");
    }

    @Test
    void aTaskSleepingOnTheClockLetsAdvanceReturnAndWakesExactlyOnTime() {
        time.execute(pool, () -> {
            try {
                seen.add("before " + time.nanos());
                time.sleepNanos(2_000_000_000L);
                seen.add("after " + time.nanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        time.advance(Duration.ofSeconds(1)); // returns although the task is still asleep
        assertThat(seen).containsExactly("before 100000000000");
        time.advance(Duration.ofMillis(1500));
        assertThat(seen).containsExactly("before 100000000000", "after 102000000000");
    }

    @Test
    void aCancelledTaskNeverRunsAndATaskForAShutDownExecutorIsDropped() {
        Future<?> f = time.schedule(pool, () -> seen.add("cancelled"), 1_000_000_000L);
        ExecutorService gone = Executors.newSingleThreadExecutor();
        gone.shutdown();
        Future<?> dropped = time.schedule(gone, () -> seen.add("dropped"), 1_000_000_000L);
        f.cancel(false);
        time.advance(Duration.ofSeconds(2)); // and does not wait for either
        assertThat(seen).isEmpty();
        assertThat(dropped.isCancelled()).isTrue();
    }

    @Test
    void advanceUntilStopsAtTheFirstStepWhereTheConditionHoldsAndFailsPastItsLimit() {
        time.schedule(pool, () -> seen.add("done"), 2_300_000_000L);
        Duration took = time.advanceUntil("done", Duration.ofMillis(100), Duration.ofSeconds(5), () -> !seen.isEmpty());
        assertThat(took).isEqualTo(Duration.ofMillis(2300));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> time.advanceUntil("never", Duration.ofSeconds(1),
                Duration.ofSeconds(3), () -> false)).isInstanceOf(AssertionError.class).hasMessageContaining("never");
    }
}
