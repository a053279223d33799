package io.jsanlock.engine;

import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.Timeouts;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.MemoryStorage;
import io.jsanlock.testkit.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The typed {@link RenewalObserver} and the renewal history it reports from: when each call
 * comes (the join before the lockspace is usable and before add_lockspace returns), what it
 * carries, and the history's shape as sanlock's {@code client renewal} shows it. The engine's
 * threads over an in-memory disk, on a {@link ManualScheduler} the test advances: every renewal
 * happens at an exact instant, so no wait here depends on how loaded the machine is. Calls that
 * wait on the clock (a join) run as tasks of the scheduler while the test advances time.
 */
class RenewalObserverTest {
    static final String PATH = "/mem/disk";
    static final Duration STEP = Duration.ofMillis(100);
    final ManualScheduler time = new ManualScheduler(1000);
    final ExecutorService callers = Executors.newCachedThreadPool();
    final MemoryStorage mem = new MemoryStorage(2 << 20);
    final FaultyStorage disk = new FaultyStorage(mem, time);
    final List<LeaseEngine> engines = new ArrayList<>();
    final LockspaceSpec spec = new LockspaceSpec("LS", 1, PATH, 0);

    /** Every call, in order, as text; the engine's state of the lockspace when {@code joined} came. */
    static class Recorder implements RenewalObserver {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<RenewalRecord> renewed = new CopyOnWriteArrayList<>();
        volatile LeaseEngine engine;
        volatile LockspaceState stateAtJoined;
        volatile Timeouts timeouts;
        volatile SanlockException refuse;

        @Override
        public void beforeJoin(LockspaceSpec spec) throws SanlockException {
            calls.add("beforeJoin " + spec.name());
            if (refuse != null) {
                throw refuse;
            }
        }

        @Override
        public void joined(LockspaceSpec spec, Timeouts t, long lastSuccess) {
            stateAtJoined = engine.lockspaceState(spec.name()).orElse(null);
            timeouts = t;
            calls.add("joined " + spec.name() + " " + lastSuccess);
        }

        @Override
        public void renewed(LockspaceSpec spec, Timeouts t, RenewalRecord record) {
            renewed.add(record);
            calls.add("renewed " + record.timestamp());
        }

        @Override
        public void failed(LockspaceSpec spec, Timeouts t, int result) {
            calls.add("failed " + result);
        }

        @Override
        public void removed(LockspaceSpec spec) {
            calls.add("removed " + spec.name());
        }

        @Override
        public void engineClosed() {
            calls.add("closed");
        }

        long count(String prefix) {
            return calls.stream().filter(c -> c.startsWith(prefix)).count();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        disk.setRecording(false);
        Areas.initLockspace(mem, 0, Geometry.S512_A1M, "LS", 1);
    }

    @AfterEach
    void tearDown() {
        for (LeaseEngine e : engines) {
            if (!e.halted()) {
                e.close();
            }
        }
        callers.shutdownNow();
    }

    LeaseEngine engine(Recorder r, int historySize) throws SanlockException {
        LeaseEngine e = LeaseEngine.builder("hostA").clock(time).scheduler(time).seed(7).storage(p -> disk).renewalObserver(r)
                .renewalHistorySize(historySize).build();
        r.engine = e;
        engines.add(e);
        return e;
    }

    /** Advances the manual clock until {@code cond} holds; fails after {@code seconds} of protocol time. */
    void await(String what, long seconds, BooleanSupplier cond) {
        time.advanceUntil(what, STEP, Duration.ofSeconds(seconds), cond);
    }

    /** addLockspace, run as a task while the clock advances through the join's delays. */
    LockspaceInfo join(LeaseEngine e) throws Exception {
        return time.advanceUntilDone("join", STEP, Duration.ofSeconds(60), time.submit(callers, () -> e.addLockspace(spec, 1)));
    }

    @Test
    void joinedIsReportedBeforeTheLockspaceIsJoinedAndBeforeAddLockspaceReturns() throws Exception {
        Recorder r = new Recorder();
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        LockspaceInfo info = join(e);
        // nothing awaited: the calls must already have happened when addLockspace returned
        assertThat(r.calls).containsExactly("beforeJoin LS", "joined LS " + info.lastSuccess());
        assertThat(r.stateAtJoined).as("not yet JOINED (no lease can be granted) when joined is reported")
                .isEqualTo(LockspaceState.JOINING);
        assertThat(r.timeouts).isEqualTo(new Timeouts(1, Timeouts.WATCHDOG_FIRE_TIMEOUT, Timeouts.DEFAULT_KILL_GRACE));
        assertThat(e.renewals("LS")).as("the join is the history's first record, with 0 ms as the reference shows it")
                .containsExactly(new RenewalRecord(info.lastSuccess(), 0, 0, 0, 0));
    }

    @Test
    void joinedIsReportedForAnAsyncJoinBeforeItsFutureCompletes() throws Exception {
        Recorder r = new Recorder();
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        LockspaceInfo info = time.advanceUntilDone("async join", STEP, Duration.ofSeconds(60),
                e.addLockspaceAsync(spec, 1));
        assertThat(r.calls).containsExactly("beforeJoin LS", "joined LS " + info.lastSuccess());
        assertThat(r.stateAtJoined).isEqualTo(LockspaceState.JOINING);
    }

    @Test
    void eachRenewalIsReportedWithTheRecordAddedToTheHistory() throws Exception {
        Recorder r = new Recorder();
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        join(e);
        await("three renewals", 20, () -> r.renewed.size() >= 3);
        List<RenewalRecord> history = e.renewals("LS");
        // the history is the join followed by every renewal reported (one may land between the two reads)
        assertThat(history.subList(1, 4)).isEqualTo(r.renewed.subList(0, 3));
        assertThat(r.count("failed")).isZero();
        assertThat(r.count("removed")).isZero();
    }

    @Test
    void failedAttemptsAreReportedAndCountedOnTheLastSuccessThenRemovalIsReported() throws Exception {
        Recorder r = new Recorder();
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        join(e);
        await("a renewal", 10, () -> r.renewed.size() >= 1);
        disk.inject(FaultyStorage.Match.any(FaultyStorage.Op.READ), Fault.ERROR, -1);
        await("lockspace gone (lost, no holders)", 30, () -> r.count("removed") == 1);
        long failures = r.count("failed");
        assertThat(failures).as("attempts between the last success and 8N, 0.5 s apart").isGreaterThanOrEqualTo(3);
        assertThat(r.calls).contains("failed " + SanlockError.EIO.code());
        RenewalRecord lastSuccess = r.renewed.getLast();
        int n = r.calls.indexOf("renewed " + lastSuccess.timestamp());
        assertThat(r.calls.subList(n + 1, r.calls.size())).as("after T: only failures, then the removal")
                .allMatch(c -> c.startsWith("failed ") || c.equals("removed LS"));
        assertThat(r.calls.getLast()).isEqualTo("removed LS");
        e.close();
        assertThat(r.calls.getLast()).isEqualTo("closed");
    }

    @Test
    void theHistoryCarriesTheFailuresAfterEachSuccessAsNextTimeoutsAndNextErrors() throws Exception {
        Recorder r = new Recorder();
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        join(e);
        await("a renewal", 10, () -> r.renewed.size() >= 1);
        disk.inject(FaultyStorage.Match.any(FaultyStorage.Op.READ), Fault.ERROR, 2);
        await("two failures, then a success", 20, () -> r.count("failed") == 2 && r.renewed.size() >= 2
                && r.calls.indexOf("renewed " + r.renewed.get(1).timestamp()) > r.calls.lastIndexOf("failed " + SanlockError.EIO.code()));
        List<RenewalRecord> history = e.renewals("LS");
        RenewalRecord before = history.stream().filter(x -> x.timestamp() == r.renewed.get(0).timestamp())
                .findFirst().orElseThrow();
        assertThat(before.errors()).as("next_errors of the success before the failures").isEqualTo(2);
        assertThat(before.timeouts()).isZero();
        assertThat(history.getLast().errors()).as("the success after them starts at 0").isZero();
    }

    @Test
    void theHistoryKeepsTheConfiguredNumberOfRecordsAndNoneAtZero() throws Exception {
        Recorder r = new Recorder();
        LeaseEngine e = engine(r, 2);
        join(e);
        await("three renewals", 20, () -> r.renewed.size() >= 3);
        List<RenewalRecord> history = e.renewals("LS");
        assertThat(history).hasSize(2);
        assertThat(history.getLast().timestamp()).isGreaterThanOrEqualTo(r.renewed.get(2).timestamp());
        e.close();

        Recorder none = new Recorder();
        LeaseEngine z = engine(none, 0);
        join(z);
        await("a renewal", 10, () -> none.renewed.size() >= 1);
        assertThat(z.renewals("LS")).isEmpty();
    }

    @Test
    void aRefusalBeforeTheJoinFailsAddLockspaceWithItsCodeAndTouchesNothing() throws Exception {
        Recorder r = new Recorder();
        r.refuse = new SanlockException(SanlockError.WD_ERROR, "watchdog not usable");
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        byte[] before = mem.copy(0, 1 << 20);
        assertThatThrownBy(() -> e.addLockspace(spec, 1))
                .is(failsWith(SanlockError.WD_ERROR));
        assertThatThrownBy(() -> e.addLockspaceAsync(spec, 1))
                .is(failsWith(SanlockError.WD_ERROR));
        assertThat(e.lockspace("LS")).isEmpty();
        assertThat(mem.copy(0, 1 << 20)).as("no I/O written").isEqualTo(before);
        assertThat(r.calls).containsExactly("beforeJoin LS", "beforeJoin LS");
    }

    @Test
    void removalIsReportedOnRemLockspaceAndNotForAHaltedEngine() throws Exception {
        Recorder r = new Recorder();
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        join(e);
        e.removeLockspace("LS", false);
        assertThat(r.calls.getLast()).isEqualTo("removed LS");

        Recorder h = new Recorder();
        LeaseEngine crashed = engine(h, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        join(crashed);
        crashed.halt();
        crashed.close();
        assertThat(h.count("removed")).as("a crashed host's watchdog must stay armed").isZero();
    }

    @Test
    void anObserverThatThrowsStopsNeitherTheJoinNorTheRenewals() throws Exception {
        Recorder r = new Recorder() {
            @Override
            public void joined(LockspaceSpec spec, Timeouts t, long lastSuccess) {
                super.joined(spec, t, lastSuccess);
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void renewed(LockspaceSpec spec, Timeouts t, RenewalRecord record) {
                super.renewed(spec, t, record);
                throw new IllegalStateException("observer bug");
            }
        };
        LeaseEngine e = engine(r, LeaseEngine.DEFAULT_RENEWAL_HISTORY);
        assertThat(join(e).state()).isEqualTo(LockspaceState.JOINED);
        await("two renewals", 20, () -> r.renewed.size() >= 2);
        assertThat(e.lockspaceState("LS")).contains(LockspaceState.JOINED);
        assertThat(e.logDump()).contains("renewal observer failed: java.lang.IllegalStateException: observer bug");
    }
}
