package io.jsanlock.base.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.MonotonicClock;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogRingTest {
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final MonotonicClock clock = new MonotonicClock() {
        @Override
        public long nanos() {
            return now.get();
        }

        @Override
        public void sleepNanos(long d) {
            now.addAndGet(d);
        }
    };

    @Test
    void keepsOnlyTheNewestLinesStampedWithMonotonicSeconds() {
        LogRing ring = new LogRing(clock, 3);
        for (int i = 1; i <= 5; i++) {
            ring.log("line " + i);
            now.addAndGet(1_000_000_000L);
        }
        assertThat(ring.lines()).containsExactly("7 line 3", "8 line 4", "9 line 5");
        assertThat(ring.appended()).isEqualTo(5);
        assertThat(ring.dump()).isEqualTo("7 line 3\n8 line 4\n9 line 5\n");
    }

    @Test
    void partialRingDumpsInOrder() {
        LogRing ring = new LogRing(clock, 10);
        ring.logf("s%d delta_acquire begin %s:%d", 1, "LS", 2);
        assertThat(ring.lines()).containsExactly("5 s1 delta_acquire begin LS:2");
    }

    @Test
    void rejectsZeroCapacity() {
        assertThatThrownBy(() -> new LogRing(clock, 0)).hasMessageContaining("capacity");
    }
}
