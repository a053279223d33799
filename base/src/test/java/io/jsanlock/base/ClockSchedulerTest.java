package io.jsanlock.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The default scheduler on the system clock. Real time: only lower bounds and orders are
 * asserted (a task never runs before its delay; tasks run in deadline order whatever the
 * order they were scheduled in), which a loaded machine cannot break; the waits for the
 * tasks allow 30 s.
 */
class ClockSchedulerTest {
    @Test
    void tasksRunInDeadlineOrderNeverBeforeTheirDelayAndACancelledOneNever() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ClockScheduler s = new ClockScheduler(MonotonicClock.SYSTEM, "test-timer")) {
            List<String> ran = new CopyOnWriteArrayList<>();
            CountDownLatch all = new CountDownLatch(3);
            long t0 = System.nanoTime();
            long[] at = new long[3];
            s.schedule(pool, () -> { at[2] = System.nanoTime(); ran.add("300"); all.countDown(); }, 300_000_000L);
            Future<?> cancelled = s.schedule(pool, () -> ran.add("cancelled"), 100_000_000L);
            s.schedule(pool, () -> { at[1] = System.nanoTime(); ran.add("200"); all.countDown(); }, 200_000_000L);
            s.schedule(pool, () -> { at[0] = System.nanoTime(); ran.add("50"); all.countDown(); }, 50_000_000L);
            cancelled.cancel(false);
            assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).containsExactly("50", "200", "300");
            assertThat(at[0] - t0).isGreaterThanOrEqualTo(50_000_000L);
            assertThat(at[1] - t0).isGreaterThanOrEqualTo(200_000_000L);
            assertThat(at[2] - t0).isGreaterThanOrEqualTo(300_000_000L);
        } finally {
            pool.shutdownNow();
        }
    }
}
