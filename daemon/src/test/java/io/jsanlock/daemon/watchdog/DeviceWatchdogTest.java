package io.jsanlock.daemon.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.MonotonicClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device side of the watchdog on a plain file and a hand-driven clock: opened (first
 * keepalive) at the first arming, keepalives 10 s apart, none while any armed connection
 * is past its expiry, petting again once it is renewed, and the magic close 'V' when the
 * last connection is disarmed.
 */
class DeviceWatchdogTest {
    @TempDir
    Path tmp;

    @Test
    void petsOnlyWhileNoConnectionHasExpiredAndClosesCleanlyWhenAllAreDisarmed() throws Exception {
        AtomicLong seconds = new AtomicLong(1000);
        MonotonicClock clock = new MonotonicClock() {
            @Override
            public long nanos() {
                return seconds.get() * 1_000_000_000L;
            }

            @Override
            public void sleepNanos(long durationNanos) {
                seconds.addAndGet(durationNanos / 1_000_000_000L);
            }
        };
        Path dev = tmp.resolve("watchdog");
        List<String> log = new CopyOnWriteArrayList<>();
        DeviceWatchdog wd = new DeviceWatchdog(dev, clock, log::add);
        assertThat(wd.available()).as("no device file yet").isFalse();
        Files.createFile(dev);
        assertThat(wd.available()).isTrue();

        wd.testLive("sanlock_A:1", 1000, 1008);
        assertThat(Files.readString(dev)).as("opened with a keepalive").isEqualTo(".");
        seconds.set(1005);
        wd.testLive("sanlock_A:1", 1002, 1010);
        wd.testLive("sanlock_B:2", 1005, 1013);
        assertThat(Files.readString(dev)).as("not yet 10 s since the last keepalive").isEqualTo(".");

        seconds.set(1012); // A expired at 1010 (no renewal since 1002): petting stops
        wd.testLive("sanlock_B:2", 1012, 1020);
        Thread.sleep(1200); // let the petting thread run a round at this time too
        assertThat(Files.readString(dev)).as("an expired connection stops the keepalives").isEqualTo(".");
        assertThat(log).anyMatch(l -> l.contains("sanlock_A:1 expired at 1010"));

        wd.testLive("sanlock_A:1", 1012, 1020); // A renewed late (in recovery the expiry follows the last success)
        assertThat(Files.readString(dev)).as("petting resumes").isEqualTo("..");

        wd.testLive("sanlock_A:1", 0, 0);
        assertThat(Files.readString(dev)).as("B still armed: device stays open").isEqualTo("..");
        wd.testLive("sanlock_B:2", 0, 0);
        assertThat(Files.readString(dev)).as("magic close after the last disarm").isEqualTo("..V");
        wd.close();
        assertThat(Files.readString(dev)).isEqualTo("..V");
    }
}
