package io.jsanlock.daemon.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device side of the watchdog on a plain file and a manual clock: opened (first
 * keepalive) at the first arming, keepalives 10 s apart, none while any armed connection
 * is past its expiry, petting again once it is renewed, and the magic close 'V' when the
 * last connection is disarmed.
 *
 * <p>The petting thread's rounds are driven by the test ({@link Rounds}): "the thread ran a
 * round at this time and wrote nothing" is then a fact the test waited for, not a hope
 * after a real-time sleep, and no protocol time passes unless the test advances the clock.
 */
class DeviceWatchdogTest {
    @TempDir
    Path tmp;

    /** The petting thread's sleeper: each wait blocks until the test lets one more round run. */
    static final class Rounds implements Sleeper {
        private final Semaphore go = new Semaphore(0);
        private final AtomicInteger finished = new AtomicInteger();

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            finished.incrementAndGet(); // a round ended: the thread waits for the next
            go.acquire();
        }

        /** Waits until the thread has finished its first round (the one it runs when the device opens). */
        void awaitFirst() {
            Await.await("the petting thread's first round", Duration.ofSeconds(30), () -> finished.get() >= 1);
        }

        /** Lets the thread run one round and waits until it has. */
        void runOne() {
            int before = finished.get();
            go.release();
            Await.await("a round of the petting thread", Duration.ofSeconds(30), () -> finished.get() > before);
        }
    }

    @Test
    void petsOnlyWhileNoConnectionHasExpiredAndClosesCleanlyWhenAllAreDisarmed() throws Exception {
        ManualClock clock = new ManualClock(1000);
        Rounds rounds = new Rounds();
        Path dev = tmp.resolve("watchdog");
        List<String> log = new CopyOnWriteArrayList<>();
        DeviceWatchdog wd = new DeviceWatchdog(dev, clock, rounds, log::add);
        assertThat(wd.available()).as("no device file yet").isFalse();
        Files.createFile(dev);
        assertThat(wd.available()).isTrue();

        wd.testLive("sanlock_A:1", 1000, 1008);
        assertThat(Files.readString(dev)).as("opened with a keepalive").isEqualTo(".");
        rounds.awaitFirst();
        clock.advanceSeconds(5); // 1005
        wd.testLive("sanlock_A:1", 1002, 1010);
        wd.testLive("sanlock_B:2", 1005, 1013);
        assertThat(Files.readString(dev)).as("not yet 10 s since the last keepalive").isEqualTo(".");

        clock.advanceSeconds(7); // 1012: A expired at 1010 (no renewal since 1002): petting stops
        wd.testLive("sanlock_B:2", 1012, 1020);
        rounds.runOne(); // the petting thread's round at this time too
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

    /** The rounds the test above runs are real: one 10 s after the last keepalive pets, one before does not. */
    @Test
    void thePettingThreadKeepsTheDeviceAliveEveryTenSecondsOnItsOwn() throws Exception {
        ManualClock clock = new ManualClock(1000);
        Rounds rounds = new Rounds();
        Path dev = Files.createFile(tmp.resolve("watchdog"));
        DeviceWatchdog wd = new DeviceWatchdog(dev, clock, rounds, l -> { });
        wd.testLive("sanlock_A:1", 1000, 1080);
        rounds.awaitFirst();
        clock.advanceSeconds(9);
        rounds.runOne();
        assertThat(Files.readString(dev)).as("9 s after the keepalive: none due").isEqualTo(".");
        clock.advanceSeconds(1);
        rounds.runOne();
        assertThat(Files.readString(dev)).as("10 s after it: the thread pets").isEqualTo("..");
        wd.testLive("sanlock_A:1", 0, 0);
        wd.close();
    }
}
