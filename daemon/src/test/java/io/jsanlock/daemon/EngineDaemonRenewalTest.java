package io.jsanlock.daemon;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.StorageOpener;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.StateRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon over the real engine and a lease file, through the engine's typed renewal
 * hooks: the watchdog of a {@code -w 1} daemon (as {@link DaemonMain} builds it, on a
 * stand-in device file) is armed by the time ADD_LOCKSPACE replies, and the RENEWAL reply
 * ({@code sanlock client renewal -s LS}) carries the engine's measured read_ms/write_ms
 * as the reference's does.
 */
@Timeout(60)
@Isolated // nothing beside it (junit-platform.properties): sets the global jsanlock.watchdog.device property for the daemons it builds
class EngineDaemonRenewalTest {
    static final Pattern RENEWAL = Pattern.compile(
            "timestamp=(\\d+) read_ms=(\\d+) write_ms=(\\d+) next_timeouts=(\\d+) next_errors=(\\d+)");

    @TempDir
    Path dir;

    Path initLeases() throws Exception {
        Path leases = dir.resolve("leases");
        Files.write(leases, new byte[1 << 20]);
        Process init = new ProcessBuilder("/usr/sbin/sanlock", "direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1")
                .redirectErrorStream(true).start();
        assertEquals(0, init.waitFor(), new String(init.getInputStream().readAllBytes()));
        return leases;
    }

    static Matcher renewal(StateRecord r) {
        Matcher m = RENEWAL.matcher(r.text());
        assertThat(m.matches()).as(r.text()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(r.data64());
        return m;
    }

    @Test
    void theWatchdogOfAWatchdogDaemonIsArmedWhenAddLockspaceReplies() throws Exception {
        Path leases = initLeases();
        Path device = Files.createFile(dir.resolve("watchdog"));
        Path run = dir.resolve("run");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "1", "-e", "hostW").withRunDir(run);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        LeaseBackend backend;
        System.setProperty("jsanlock.watchdog.device", device.toString());
        try {
            backend = DaemonMain.engineBackend(new DaemonMain.DaemonContext(o, log, MonotonicClock.SYSTEM));
        } finally {
            System.clearProperty("jsanlock.watchdog.device");
        }
        Daemon d = new Daemon(o, backend, log, MonotonicClock.SYSTEM);
        d.start();
        try {
            SanlockClient c = new SanlockClient(run);
            Lockspace ls = Lockspace.of("LS", 1, leases.toString(), 0);
            c.addLockspace(ls, 1, false);
            // read at once, nothing awaited: the arming must have happened before the reply
            String device0 = Files.readString(device);
            String log0 = new String(log.dump(), StandardCharsets.UTF_8);
            assertThat(device0).as("the device opened with a keepalive").isEqualTo(".");
            Matcher armed = Pattern.compile("wdmd sanlock_LS:1 armed renewal (\\d+) expire (\\d+)").matcher(log0);
            assertThat(armed.find()).as(log0).isTrue();
            long renewal = Long.parseLong(armed.group(1));
            assertThat(Long.parseLong(armed.group(2))).as("expire = last success + 8N").isEqualTo(renewal + 8);
            List<StateRecord> history = c.renewal("LS").records();
            assertThat(history).isNotEmpty();
            assertThat(history.getFirst().data64()).as("armed from the join's timestamp").isEqualTo(renewal);

            c.remLockspace(ls, false, false);
            assertThat(new String(log.dump(), StandardCharsets.UTF_8)).contains("wdmd sanlock_LS:1 disarmed");
            assertThat(Files.readString(device)).as("magic close once the last connection is disarmed").endsWith("V");
        } finally {
            d.shutdown();
        }
    }

    @Test
    void theRenewalReplyCarriesTheMeasuredReadAndWriteTimes() throws Exception {
        Path leases = initLeases();
        FaultyStorage[] faulty = new FaultyStorage[1];
        StorageOpener opener = path -> {
            FaultyStorage f = new FaultyStorage(StorageOpener.DIRECT.open(path), MonotonicClock.SYSTEM);
            f.setRecording(false);
            faulty[0] = f;
            return f;
        };
        Path run = dir.resolve("run");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostR").withRunDir(run);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        LeaseEngine engine = LeaseEngine.builder("hostR").storage(opener).build();
        Daemon d = new Daemon(o, new EngineBackend(engine, log), log, MonotonicClock.SYSTEM);
        d.start();
        try {
            SanlockClient c = new SanlockClient(run);
            c.addLockspace(Lockspace.of("LS", 1, leases.toString(), 0), 1, false);
            List<StateRecord> joined = c.renewal("LS").records();
            assertThat(joined).hasSize(1);
            Matcher join = renewal(joined.getFirst());
            assertThat(join.group(2) + " " + join.group(3)).as("the join: 0 ms, as the reference shows it").isEqualTo("0 0");

            // every renewal read of the lockspace area now takes at least 40 ms
            faulty[0].before(FaultyStorage.Match.read(0), -1, () -> {
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await("a renewal after the slow reads began", Duration.ofMillis(10_000), () -> c.renewal("LS").records().size() >= 2);
            List<StateRecord> history = c.renewal("LS").records();
            Matcher slow = renewal(history.get(1));
            assertThat(Long.parseLong(slow.group(2))).as("read_ms of " + history.get(1).text()).isBetween(40L, 1000L);
            assertThat(Long.parseLong(slow.group(3))).as("write_ms").isLessThan(1000L);
            assertThat(slow.group(4) + " " + slow.group(5)).isEqualTo("0 0");
        } finally {
            d.shutdown();
        }
    }
}
