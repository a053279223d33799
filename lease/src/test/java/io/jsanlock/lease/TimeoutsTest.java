package io.jsanlock.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TimeoutsTest {
    /** algorithms.md 1.2, columns N=10, N=2, N=1. */
    @ParameterizedTest
    @CsvSource({
        // N, renewal, warn, fail, hostDead, shortDelay, largeDelay, bitmap, killAt, renewalWrite
        "10, 20, 60, 80, 140, 20, 80, 60, 120, 140",
        "2,   4, 12, 16,  76,  4, 16, 12,  56,  76",
        "1,   2,  6,  8,  68,  2,  8,  6,  48,  68",
    })
    void derivedValuesMatchTheReferenceTable(int n, long renewal, long warn, long fail, long dead, long shortDelay,
                                             long largeDelay, long bitmap, long kill, long renewalWrite) {
        Timeouts t = Timeouts.of(n);
        assertThat(t.idRenewalSeconds()).isEqualTo(renewal);
        assertThat(t.idRenewalWarnSeconds()).isEqualTo(warn);
        assertThat(t.idRenewalFailSeconds()).isEqualTo(fail);
        assertThat(t.watchdogExpiry(1000)).as("wdmd expiry: last success + 8N").isEqualTo(1000 + fail);
        assertThat(t.hostDeadSeconds()).isEqualTo(dead);
        assertThat(t.deltaShortDelaySeconds()).isEqualTo(shortDelay);
        assertThat(t.deltaLargeDelaySeconds()).isEqualTo(largeDelay);
        assertThat(t.deltaAcquireHeldWaitSeconds()).isEqualTo(dead);
        assertThat(t.setBitmapSeconds()).isEqualTo(bitmap);
        assertThat(t.killEscalationSeconds()).isEqualTo(kill);
        assertThat(t.renewalWriteTimeoutSeconds()).isEqualTo(renewalWrite);
        assertThat(t.renewalReadExtendSeconds()).isEqualTo(n);
        assertThat(t.releaseFirstRetrySeconds()).isEqualTo(n);
        assertThat(t.releaseRetrySeconds()).isEqualTo(2L * n);
    }

    @Test
    void zeroMeansTheDefaultAndStoredZeroFallsBackToMine() {
        assertThat(Timeouts.of(0).ioTimeout()).isEqualTo(10);
        Timeouts mine = Timeouts.of(1);
        assertThat(mine.forStored(0)).isEqualTo(mine);
        assertThat(mine.forStored(10).hostDeadSeconds()).isEqualTo(140);
        // only the low byte of a stored value is meaningful
        assertThat(mine.forStored(0x102).ioTimeout()).isEqualTo(2);
    }

    @Test
    void rejectsUnusableIoTimeouts() {
        assertThatThrownBy(() -> Timeouts.of(256)).hasMessageContaining("io_timeout");
        assertThatThrownBy(() -> new Timeouts(-1, 60, 40)).hasMessageContaining("io_timeout");
    }
}
