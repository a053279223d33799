package io.jsanlock.daemon.watchdog;

import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.engine.LockspaceState;
import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.MemoryStorage;
import io.jsanlock.testkit.ScaledClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watchdog driven by the engine's typed renewal observer (algorithms.md 2.8), over an
 * in-memory disk on a clock running 10x fast: armed with last_success + 8N before
 * add_lockspace returns and before the lockspace is JOINED, re-armed at every renewal, kept
 * while renewals fail, disarmed when the lockspace is gone, closed with the engine.
 */
class WatchdogMonitorTest {
    static final String PATH = "/mem/disk";
    final ScaledClock clock = new ScaledClock(10, 1000);
    final MemoryStorage mem = new MemoryStorage(2 << 20);
    final FaultyStorage disk = new FaultyStorage(mem, clock);
    final LockspaceSpec spec = new LockspaceSpec("LS", 1, PATH, 0);
    final List<LeaseEngine> engines = new ArrayList<>();

    /** A watchdog that records each call with the engine's state of LS at that moment. */
    static final class RecordingWatchdog implements Watchdog {
        record Call(String connection, long renewal, long expire, LockspaceState state) {}

        final List<Call> calls = new CopyOnWriteArrayList<>();
        volatile boolean available = true;
        volatile boolean closed;
        volatile LeaseEngine engine;

        @Override
        public boolean available() {
            return available;
        }

        @Override
        public void testLive(String connection, long renewal, long expire) {
            calls.add(new Call(connection, renewal, expire, engine.lockspaceState("LS").orElse(null)));
        }

        @Override
        public void close() {
            closed = true;
        }

        List<Call> arms() {
            return calls.stream().filter(c -> c.expire() != 0).toList();
        }
    }

    @AfterEach
    void tearDown() {
        for (LeaseEngine e : engines) {
            e.close();
        }
    }

    LeaseEngine engine(RecordingWatchdog wd, List<String> log) throws Exception {
        disk.setRecording(false);
        Areas.initLockspace(mem, 0, Geometry.S512_A1M, "LS", 1);
        LeaseEngine e = LeaseEngine.builder("hostA").clock(clock).seed(7).storage(p -> disk)
                .renewalObserver(new WatchdogMonitor(wd, () -> "stand-in watchdog", log::add)).build();
        wd.engine = e;
        engines.add(e);
        return e;
    }

    /** The kit's await on this test's scaled clock: {@code virtualSeconds} of protocol time. */
    void await(String what, long virtualSeconds, BooleanSupplier cond) {
        Await.await(what, clock, Duration.ofSeconds(virtualSeconds), cond::getAsBoolean);
    }

    @Test
    void theWatchdogIsArmedWithLastSuccessPlus8NBeforeAddLockspaceReturns() throws Exception {
        RecordingWatchdog wd = new RecordingWatchdog();
        LeaseEngine e = engine(wd, new CopyOnWriteArrayList<>());
        LockspaceInfo info = e.addLockspace(spec, 1);
        // no waiting: armed by the time addLockspace returned, and while the lockspace was not yet usable
        assertThat(wd.calls).containsExactly(new RecordingWatchdog.Call("sanlock_LS:1", info.lastSuccess(),
                info.lastSuccess() + 8, LockspaceState.JOINING));
    }

    @Test
    void everyRenewalReArmsFromItsTimestampAndFailuresLeaveTheExpiryAlone() throws Exception {
        RecordingWatchdog wd = new RecordingWatchdog();
        LeaseEngine e = engine(wd, new CopyOnWriteArrayList<>());
        e.addLockspace(spec, 1);
        await("three re-arms", 20, () -> wd.arms().size() >= 4);
        List<RenewalRecord> history = e.renewals("LS");
        List<List<Long>> armed = wd.arms().stream().map(c -> List.of(c.renewal(), c.expire())).toList();
        for (RenewalRecord r : history.subList(0, 4)) {
            assertThat(armed).as("armed for the record at " + r.timestamp()).contains(List.of(r.timestamp(), r.timestamp() + 8));
        }
        assertThat(wd.calls).allMatch(c -> c.connection().equals("sanlock_LS:1"));

        disk.inject(FaultyStorage.Match.any(FaultyStorage.Op.READ), FaultyStorage.Fault.ERROR, -1);
        int armsBefore = wd.arms().size();
        long lastExpire = wd.arms().getLast().expire();
        await("recovery at 8N", 20, () -> e.lockspaceState("LS").map(s -> s == LockspaceState.LOST).orElse(true));
        // at most one renewal can have been in flight when the fault was injected
        assertThat(wd.arms().size()).isLessThanOrEqualTo(armsBefore + 1);
        assertThat(wd.calls.stream().filter(c -> c.expire() == 0 && c.state() == LockspaceState.LOST).toList())
                .as("kept armed while lost").isEmpty();
        await("the lockspace gone (no holders)", 20, () -> e.lockspace("LS").isEmpty());
        assertThat(wd.calls.getLast()).as("disarmed once gone")
                .isEqualTo(new RecordingWatchdog.Call("sanlock_LS:1", 0, 0, null));
        assertThat(wd.arms().getLast().expire()).isGreaterThanOrEqualTo(lastExpire);
        assertThat(wd.closed).isFalse();
        e.close();
        assertThat(wd.closed).as("closed with the engine").isTrue();
    }

    @Test
    void remLockspaceDisarms() throws Exception {
        RecordingWatchdog wd = new RecordingWatchdog();
        LeaseEngine e = engine(wd, new CopyOnWriteArrayList<>());
        e.addLockspace(spec, 1);
        e.removeLockspace("LS", false);
        assertThat(wd.calls.getLast()).isEqualTo(new RecordingWatchdog.Call("sanlock_LS:1", 0, 0, null));
        assertThat(wd.calls).hasSize(2);
    }

    @Test
    void anUnusableWatchdogRefusesTheJoinWith203() throws Exception {
        RecordingWatchdog wd = new RecordingWatchdog();
        wd.available = false;
        List<String> log = new CopyOnWriteArrayList<>();
        LeaseEngine e = engine(wd, log);
        assertThatThrownBy(() -> e.addLockspace(spec, 1))
                .is(failsWith(SanlockError.WD_ERROR))
                .hasMessageContaining("stand-in watchdog is not usable");
        assertThat(e.lockspace("LS")).isEmpty();
        assertThat(wd.calls).isEmpty();
        assertThat(log).containsExactly("wdmd connect failed: stand-in watchdog is not usable");
    }
}
