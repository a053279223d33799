package io.jsanlock.chaos;

import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.engine.AcquireOptions;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.LockspaceEvent;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.engine.LockspaceListener;
import io.jsanlock.engine.LockspaceState;
import io.jsanlock.engine.ResourceLease;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.FaultyStorage.Match;
import io.jsanlock.testkit.FaultyStorage.Op;
import io.jsanlock.testkit.MemoryStorage;
import io.jsanlock.testkit.ScaledClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Each storage fault on a single host (plus a second host where another view is
 * needed), end to end through the lease engine, with the injected timeline asserted
 * against the reference's bounds (algorithms.md 2.4, 2.7, 3.1). io_timeout N = 1,
 * G = 40; the clock runs 2x fast, so times are asserted in clock seconds after T, the
 * last successful renewal. Every engine event is recorded with the second it came.
 *
 * <p>The two long cases (the escalation to 8N + G, and 30 s of slow renewals) run beside the
 * others ({@code @Execution(CONCURRENT)}, at most two tests at once:
 * chaos/src/test/resources/junit-platform.properties): each case has its own clock, disk and
 * engines, and an in-memory engine renewing once per two clock seconds needs next to no CPU.
 */
@Tag("slow") // waits out storage-fault timelines in protocol time (~26 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class StorageFaultTimelineTest {
    static final Geometry G = Geometry.S512_A1M;
    static final String PATH = "/mem/chaos";
    // twice real time: fast enough for CI, while a one-second window of the clock is still
    // half a real second — scheduling stalls on a loaded machine must not look like 8N
    final ScaledClock clock = new ScaledClock(2, 5000);
    final MemoryStorage mem = new MemoryStorage(4 << 20);
    final FaultyStorage disk = new FaultyStorage(mem, clock);
    final List<LeaseEngine> engines = new ArrayList<>();
    final List<String> timeline = new CopyOnWriteArrayList<>();

    record Seen(String what, long at, LockspaceEvent e) {}

    final List<Seen> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        disk.setRecording(false);
        Areas.initLockspace(mem, 0, G, "LS", 1);
        Areas.initResource(mem, 1 << 20, G, "LS", "R1", 0);
    }

    @AfterEach
    void tearDown() {
        for (LeaseEngine e : engines) {
            if (!e.halted()) {
                e.close();
            }
        }
        timeline.forEach(System.out::println);
    }

    LeaseEngine engine(String name) throws SanlockException {
        LeaseEngine e = LeaseEngine.builder(name).clock(clock).seed(11).storage(p -> disk).build();
        e.addListener(new LockspaceListener() {
            @Override
            public void lockspaceFailing(LockspaceEvent ev) {
                seen("failing", ev);
            }

            @Override
            public void lockspaceRecovered(LockspaceEvent ev) {
                seen("recovered", ev);
            }

            @Override
            public void lockspaceLost(LockspaceEvent ev) {
                seen("lost", ev);
            }

            @Override
            public void killDeadline(LockspaceEvent ev) {
                seen("kill", ev);
            }
        });
        engines.add(e);
        return e;
    }

    private void seen(String what, LockspaceEvent e) {
        long now = clock.seconds();
        events.add(new Seen(what, now, e));
        timeline.add(now + " " + what + " " + e.lockspace() + " last_success " + e.lastSuccess() + " result " + e.resultCode());
    }

    Seen first(String what) {
        return events.stream().filter(s -> s.what().equals(what)).findFirst().orElse(null);
    }

    /** The kit's await on this test's scaled clock; a failure shows the timeline so far. */
    void await(String what, long clockSeconds, BooleanSupplier cond) {
        Await.await(() -> what + "; timeline " + timeline, clock, Duration.ofSeconds(clockSeconds), cond::getAsBoolean);
    }

    static final ResourceSpec R1 = new ResourceSpec("LS", "R1", List.of(new ResourceSpec.Disk(PATH, 1 << 20)), 0, false, false);

    static final Match DELTA_WRITE = (op, off, len) -> op == Op.WRITE && off < (1 << 20);

    /** Waits for a fresh successful renewal and returns its second (T). */
    long freshRenewal(LeaseEngine e) throws InterruptedException {
        long before = e.lockspace("LS").orElseThrow().lastSuccess();
        await("a renewal", 10, () -> e.lockspace("LS").orElseThrow().lastSuccess() > before);
        return e.lockspace("LS").orElseThrow().lastSuccess();
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void ioErrorsFailTheLockspaceAtEightNAndEscalateAtEightNPlusG() throws Exception {
        LeaseEngine a = engine("hostA");
        a.addLockspace(new LockspaceSpec("LS", 1, PATH, 0), 1);
        ResourceLease held = a.acquire(R1, AcquireOptions.exclusive());
        long t = freshRenewal(a);
        disk.inject((op, off, len) -> off < (1 << 20), Fault.ERROR, -1); // every delta I/O: EIO
        timeline.add(clock.seconds() + " injected EIO on the lockspace area, T = " + t);
        await("lost", 15, () -> first("lost") != null);
        Seen failing = first("failing");
        Seen lost = first("lost");
        assertThat(failing).as("warning from 6N").isNotNull();
        assertThat(failing.at() - t).isBetween(6L, 7L);
        assertThat(lost.at() - t).as("recovery at 8N after the last success").isBetween(8L, 9L);
        assertThat(lost.e().lastSuccess()).isEqualTo(t);
        assertThat(lost.e().killDeadline()).as("SIGKILL point 8N + G").isEqualTo(t + 8 + 40);
        assertThat(lost.e().leases()).containsExactly(held);
        assertThat(a.isHeld(held)).as("lost lease dropped without I/O").isFalse();
        await("kill deadline", 45, () -> first("kill") != null);
        assertThat(first("kill").at() - t).isBetween(48L, 49L);
        assertThatThrownBy(() -> a.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ENOSPC));
    }

    @Test
    void ioHangingPastTheTimeoutIsAbandonedAndTheLockspaceFailsOnTheSameSchedule() throws Exception {
        LeaseEngine a = engine("hostA");
        a.addLockspace(new LockspaceSpec("LS", 1, PATH, 0), 1);
        long t = freshRenewal(a);
        disk.setRecording(true);
        disk.clearHistory();
        disk.inject((op, off, len) -> off < (1 << 20), Fault.TIMEOUT, -1);
        timeline.add(clock.seconds() + " injected hanging I/O on the lockspace area, T = " + t);
        await("lost", 15, () -> first("lost") != null);
        assertThat(first("lost").at() - t).as("a hang does not delay recovery past 8N").isBetween(8L, 9L);
        // the hung renewal reads were given up and retried: each waited N, or N plus the reap
        // extension N after a timed-out read (renewal_read_extend_sec, 2.4) — never longer
        List<FaultyStorage.Io> reads = disk.history().stream().filter(io -> io.op() == Op.READ && io.offset() == 0).toList();
        assertThat(reads.size()).as("renewal reads abandoned and retried").isGreaterThanOrEqualTo(2);
        assertThat(reads.getFirst().timeoutNanos()).isEqualTo(1_000_000_000L);
        assertThat(reads).allSatisfy(io -> assertThat(io.timeoutNanos()).isBetween(1_000_000_000L, 2_000_000_000L));
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void slowIoJustUnderTheLimitKeepsTheLockspaceHealthy() throws Exception {
        LeaseEngine a = engine("hostA");
        a.addLockspace(new LockspaceSpec("LS", 1, PATH, 0), 1);
        // every I/O takes 0.8 s of the clock (N = 1): slow but within the limit
        disk.before((op, off, len) -> true, -1, () -> {
            try {
                clock.sleepNanos(800_000_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = clock.seconds();
        ResourceLease held = a.acquire(R1, AcquireOptions.exclusive());
        long first = a.lockspace("LS").orElseThrow().lastSuccess();
        await("30 s of slow renewals", 40, () -> clock.seconds() - start >= 30);
        LockspaceInfo i = a.lockspace("LS").orElseThrow();
        assertThat(i.state()).isEqualTo(LockspaceState.JOINED);
        assertThat(i.lastSuccess()).isGreaterThan(first + 20);
        assertThat(events).as("never failing or lost").isEmpty();
        assertThat(a.isHeld(held)).isTrue();
    }

    @Test
    void tornRenewalWriteIsACorruptResultAndFailsTheLockspaceAtOnce() throws Exception {
        LeaseEngine a = engine("hostA");
        a.addLockspace(new LockspaceSpec("LS", 1, PATH, 0), 1);
        long t = freshRenewal(a);
        // next renewal write: only the first 164 bytes land — the new timestamp (152..159) but not
        // the checksum (168): a torn sector, as a crash mid-write leaves it
        disk.inject(DELTA_WRITE, Fault.TORN, 164, SanlockError.EIO, 1);
        timeline.add(clock.seconds() + " injected one torn renewal write, T = " + t);
        await("lost", 15, () -> first("lost") != null);
        Seen lost = first("lost");
        assertThat(lost.e().resultCode()).as("checksum error on our own slot").isEqualTo(SanlockError.LEADER_CHECKSUM.code());
        assertThat(lost.at() - t).as("corrupt: recovery without waiting for 8N").isLessThan(8L);
    }

    @Test
    void corruptedLeaderUnderALiveLeaseIsNeverReadAsFree() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        a.addLockspace(new LockspaceSpec("LS", 1, PATH, 0), 1);
        b.addLockspace(new LockspaceSpec("LS", 2, PATH, 0), 1);
        ResourceLease held = a.acquire(R1, AcquireOptions.exclusive());
        byte[] sector = mem.copy(1 << 20, 512);
        sector[40] ^= 0x5a; // inside the leader's checksummed bytes
        mem.poke(1 << 20, sector);
        timeline.add(clock.seconds() + " corrupted R1's leader under host A's lease");
        assertThatThrownBy(() -> b.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.LEADER_CHECKSUM));
        assertThat(a.isHeld(held)).isTrue();
        assertThat(b.leases("LS")).isEmpty();
    }
}
