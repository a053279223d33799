package io.jsanlock.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.ManualClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease-area buffer pool keeps a burst's buffers for the burst, and only for it. */
class BufferPoolTest {
    static final int MIB = 1 << 20;
    final ManualClock clock = new ManualClock(100);
    final BufferPool pool = new BufferPool(4, 32, 500_000_000L, clock);

    List<ByteBuffer> takeAll(int n) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pool.take(MIB));
        }
        return out;
    }

    @Test
    void aBurstReusesItsBuffersInsteadOfAllocatingNewOnes() {
        for (int round = 0; round < 5; round++) {
            takeAll(16).forEach(pool::give);
        }
        assertThat(pool.allocated()).as("16 at once, five times: 16 buffers in all").isEqualTo(16);
        assertThat(pool.freeCount()).isEqualTo(16);
    }

    @Test
    void afterTheBurstThePoolTrimsBackToWhatItKeepsWhenIdle() {
        takeAll(16).forEach(pool::give);
        clock.advanceNanos(499_000_000L);
        pool.trim();
        assertThat(pool.freeCount()).as("within the idle time: kept for the next burst").isEqualTo(16);
        clock.advanceNanos(1_000_000L);
        pool.trim();
        assertThat(pool.freeCount()).isEqualTo(4);
        // a renewal's single buffer is not a burst: the kept four serve it, nothing is allocated
        long before = pool.allocated();
        pool.give(pool.take(MIB));
        assertThat(pool.allocated()).isEqualTo(before);
    }

    @Test
    void noMoreThanBurstKeepAreKeptAndTheRestAreFreedAtOnce() {
        takeAll(40).forEach(pool::give);
        assertThat(pool.freeCount()).isEqualTo(32);
    }

    @Test
    void aPoolWithoutBurstsKeepsOnlyKeep() {
        BufferPool plain = new BufferPool(4);
        List<ByteBuffer> bs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            bs.add(plain.take(MIB));
        }
        bs.forEach(plain::give);
        assertThat(plain.freeCount()).isEqualTo(4);
    }
}
