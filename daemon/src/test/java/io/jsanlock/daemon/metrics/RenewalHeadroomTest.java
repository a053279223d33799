package io.jsanlock.daemon.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.Timeouts;
import io.jsanlock.testkit.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The headroom and the slow-renewal warning, on a clock the test moves. */
class RenewalHeadroomTest {
    final ManualClock clock = new ManualClock(1000);
    final List<String> warnings = new ArrayList<>();
    final LockspaceSpec ls = new LockspaceSpec("LS", 1, "/dev/null", 0);
    final Timeouts t10 = Timeouts.of(10);

    @Test
    void theHeadroomIsTheWatchdogExpiryOfTheLastSuccessMinusNow() {
        RenewalHeadroom h = new RenewalHeadroom(50, clock, warnings::add);
        h.joined(ls, t10, 1000);
        assertThat(h.lockspace("LS").orElseThrow().headroomSeconds(1000)).isEqualTo(80);
        h.renewed(ls, t10, new RenewalRecord(1020, 30, 5, 0, 0));
        RenewalHeadroom.Lockspace now = h.lockspace("LS").orElseThrow();
        assertThat(now.headroomSeconds(1050)).as("8 x 10 - (1050 - 1020)").isEqualTo(50);
        assertThat(now.headroomSeconds(1110)).as("past the expiry").isEqualTo(-10);
        assertThat(now.readFraction()).isEqualTo(0.003);
        assertThat(now.writeFraction()).isEqualTo(0.0005);
        h.failed(ls, t10, -202);
        assertThat(h.lockspace("LS").orElseThrow().lastSuccess()).as("a failure moves nothing but its count").isEqualTo(1020);
        assertThat(h.lockspace("LS").orElseThrow().failedRenewals()).isEqualTo(1);
        h.removed(ls);
        assertThat(h.lockspaces()).isEmpty();
    }

    @Test
    void aRenewalWhoseReadOrWriteUsedMoreThanTheShareIsWarnedOnceAndCounted() {
        RenewalHeadroom h = new RenewalHeadroom(50, clock, warnings::add);
        List<Boolean> slowSeen = new ArrayList<>();
        h.addListener(new RenewalHeadroom.Listener() {
            @Override
            public void renewed(String lockspace, Timeouts timeouts, RenewalRecord record, boolean slow) {
                slowSeen.add(slow);
            }
        });
        h.joined(ls, t10, 1000);
        h.renewed(ls, t10, new RenewalRecord(1020, 5000, 0, 0, 0)); // exactly 50%: not above
        h.renewed(ls, t10, new RenewalRecord(1040, 3000, 3000, 0, 0)); // 60% together, 30% each: not slow
        clock.advanceSeconds(62);
        h.renewed(ls, t10, new RenewalRecord(1060, 100, 6000, 0, 0));
        assertThat(slowSeen).containsExactly(false, false, true);
        assertThat(warnings).containsExactly("sLS renewal slow: read 100 ms write 6000 ms, 60% of io_timeout 10"
                + " (warning above 50%), 78 s left before holders are killed");
        assertThat(h.lockspace("LS").orElseThrow().slowRenewals()).isEqualTo(1);
    }

    @Test
    void theShareIsConfigurable() {
        RenewalHeadroom h = new RenewalHeadroom(20, clock, warnings::add);
        h.joined(ls, Timeouts.of(1), 1000);
        clock.advanceSeconds(2);
        h.renewed(ls, Timeouts.of(1), new RenewalRecord(1002, 250, 0, 0, 0));
        assertThat(warnings).containsExactly("sLS renewal slow: read 250 ms write 0 ms, 25% of io_timeout 1"
                + " (warning above 20%), 8 s left before holders are killed");
    }
}
