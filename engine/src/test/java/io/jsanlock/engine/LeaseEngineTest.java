package io.jsanlock.engine;

import static io.jsanlock.engine.SharedDisk.G;
import static io.jsanlock.engine.SharedDisk.PATH;
import static io.jsanlock.engine.SharedDisk.R1;
import static io.jsanlock.engine.SharedDisk.R2;
import static io.jsanlock.engine.SharedDisk.ls;
import static io.jsanlock.engine.SharedDisk.res;
import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.lease.HostState;
import io.jsanlock.lease.LeaseStorage;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.ManualScheduler;
import io.jsanlock.testkit.MemoryStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's behaviour and protocol timing, asserted to the second: several engines (hosts)
 * over one in-memory disk, all on one {@link ManualScheduler} that the test advances, so every
 * renewal, monitor check and owner poll happens at an exact instant however loaded the
 * machine is (docs/algorithms.md 2.2-2.7: join 2N, renewal 2N+0.5, FAILING at 6N, LOST at
 * 8N, kill at 8N+G, takeover after 8N+W). Calls that wait on the clock (a join, an acquire
 * polling an owner) run as tasks of the scheduler ({@link #call}) while the test advances
 * time; calls that never wait run on the test thread. (Races that need threads running
 * freely are in {@link LeaseEngineRaceTest}.)
 */
class LeaseEngineTest {
    static final Duration STEP = Duration.ofMillis(100);
    final ManualScheduler time = new ManualScheduler(1000);
    final SharedDisk shared = new SharedDisk(time);
    final MemoryStorage mem = shared.mem;
    final FaultyStorage disk = shared.disk;
    final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        shared.close();
        callers.shutdownNow();
    }

    LeaseEngine engine(String name) throws SanlockException {
        return shared.engine(name, b -> b.clock(time).scheduler(time));
    }

    /** Runs {@code c} as a task of the manual scheduler: it may wait on the clock while the test advances it. */
    <T> CompletableFuture<T> call(Callable<T> c) {
        return time.submit(callers, c);
    }

    /** Advances the clock until {@code f} is done (at most {@code limitSeconds}) and returns its value or throws its failure. */
    <T> T result(String what, long limitSeconds, CompletableFuture<T> f) throws Exception {
        return time.advanceUntilDone(what, STEP, Duration.ofSeconds(limitSeconds), f);
    }

    LockspaceInfo join(LeaseEngine e, LockspaceSpec spec, int ioTimeout) throws Exception {
        return result("join " + spec, 120, e.addLockspaceAsync(spec, ioTimeout));
    }

    void advanceUntil(String what, long limitSeconds, BooleanSupplier cond) {
        time.advanceUntil(what, STEP, Duration.ofSeconds(limitSeconds), cond);
    }

    Leader leader(long offset) {
        return shared.leader(offset);
    }

    static boolean live(LeaseEngine e, long hostId) {
        try {
            return e.hosts("LS").stream().anyMatch(h -> h.hostId() == hostId && h.state() == HostState.LIVE);
        } catch (SanlockException x) {
            return false;
        }
    }

    @Test
    void twoHostsJoinSeeEachOtherLiveAndContendForALease() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        long t0 = time.seconds();
        LockspaceInfo ia = join(a, ls(1), 1);
        assertThat(time.seconds() - t0).as("2·io_timeout short delay").isEqualTo(2);
        assertThat(ia.generation()).isEqualTo(1);
        assertThat(ia.state()).isEqualTo(LockspaceState.JOINED);
        join(b, ls(2), 1);
        assertThatThrownBy(() -> b.hosts("LS")).is(failsWith(SanlockError.EAGAIN));
        advanceUntil("mutual LIVE", 20, () -> live(a, 2) && live(b, 1));

        ResourceLease la = a.acquire(R1, AcquireOptions.exclusive());
        assertThat(la.lver()).isEqualTo(1);
        List<RenewalRecord> ren = a.renewals("LS");
        assertThat(ren).hasSizeGreaterThan(1);
        for (int i = 1; i < ren.size(); i++) { // each renewal 2N+0.5 s after the last success, on whole seconds
            assertThat(ren.get(i).timestamp() - ren.get(i - 1).timestamp()).isEqualTo(2);
        }
        assertThat(la.toResourceString()).isEqualTo("LS:R1:/mem/disk:1048576:1");
        assertThat(a.isHeld(la)).isTrue();
        assertThatThrownBy(() -> a.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.EEXIST));
        long tb = time.seconds();
        assertThatThrownBy(() -> result("-243", 10, call(() -> b.acquire(R1, AcquireOptions.exclusive()))))
                .is(failsWith(SanlockError.ACQUIRE_IDLIVE));
        // at once when b's last scan saw a's timestamp move, else at b's first 1 s poll after a's
        // next renewal: within one owner renewal interval (2N+0.5 s, so 3 whole seconds)
        assertThat(time.seconds() - tb).as("-243 within one owner renewal").isLessThanOrEqualTo(3);
        a.release(la);
        assertThat(a.isHeld(la)).isFalse();
        assertThatThrownBy(() -> a.release(la)).is(failsWith(SanlockError.EPERM));
        ResourceLease lb = b.acquire(R1, AcquireOptions.exclusive());
        assertThat(lb.lver()).isEqualTo(2);
        assertThat(leader(1 << 20).ownerId()).isEqualTo(2);
        assertThat(b.leases("LS")).containsExactly(lb);
        assertThat(b.logDump()).contains("ballot 2 commit self owner 2 1");
    }

    @Test
    void aReleaseRequestReachesTheHolderThroughTheBitmap() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        join(a, ls(1), 1);
        join(b, ls(2), 1);
        List<String> requests = new CopyOnWriteArrayList<>();
        ResourceLease la = a.acquire(R1, AcquireOptions.exclusive().withHolder(new LeaseHolder() {
            @Override
            public void releaseRequested(ResourceLease lease, long lver, int forceMode) {
                requests.add(lease.resource() + " " + lver + " " + forceMode);
            }
        }));
        assertThatThrownBy(() -> b.request(R1, 1, 1, false))
                .is(failsWith(SanlockError.REQUEST_OLD));
        long t0 = time.seconds();
        assertThat(b.request(R1, 2, 2, false)).isEqualTo(1);
        // one requester renewal publishes the bit, one owner renewal reads it: <= 2·(2N+1.5)
        advanceUntil("request delivered", 12, () -> !requests.isEmpty());
        assertThat(time.seconds() - t0).isLessThanOrEqualTo(7);
        assertThat(requests).containsExactly("R1 2 2");
        a.release(la);
    }

    @Test
    void hostEventsTravelThroughTheDeltaLease() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        List<HostEvent> got = new CopyOnWriteArrayList<>();
        b.addListener(new LockspaceListener() {
            @Override
            public void hostEvent(HostEvent e) {
                got.add(e);
            }
        });
        join(a, ls(1), 1);
        join(b, ls(2), 1);
        a.setEvent("LS", 2, 1, 7, 99);
        assertThatThrownBy(() -> a.setEvent("LS", 2, 1, 8, 99))
                .is(failsWith(SanlockError.EBUSY));
        advanceUntil("event delivered", 12, () -> !got.isEmpty());
        assertThat(got.get(0)).isEqualTo(new HostEvent("LS", 1, 1, 1, 7, 99));
        Leader slot = Leader.decode(ByteBuffer.wrap(mem.copy(0, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
        assertThat(slot.writeGeneration()).isEqualTo(7);
    }

    /**
     * A join that dies of an Error (a daemon out of heap did) fails like any failed join: the
     * caller hears of it and the lockspace leaves ADD, instead of staying there for good.
     */
    @Test
    void aJoinKilledByAnErrorFailsAndLeavesNoLockspaceBehind() throws Exception {
        AtomicBoolean failNextRead = new AtomicBoolean(true);
        LeaseStorage outOfMemoryOnce = new LeaseStorage() {
            @Override
            public void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException {
                if (failNextRead.getAndSet(false)) {
                    throw new OutOfMemoryError("injected: Java heap space");
                }
                disk.read(offset, dst, timeoutNanos);
            }

            @Override
            public void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException {
                disk.write(offset, src, timeoutNanos);
            }
        };
        LeaseEngine a = LeaseEngine.builder("hostA").seed(7).clock(time).scheduler(time).storage(p -> outOfMemoryOnce).build();
        try {
            assertThatThrownBy(() -> join(a, SharedDisk.ls(1), 1)).is(failsWith(SanlockError.ENOMEM));
            assertThat(a.lockspaceState("LS")).as("no lockspace left in ADD").isEmpty();
            assertThat(join(a, SharedDisk.ls(1), 1).state()).as("the next join works").isEqualTo(LockspaceState.JOINED);
        } finally {
            a.close();
        }
    }

    @Test
    void aJoinLongerThanOurFailThresholdDoesNotLoseTheLockspace() throws Exception {
        // Slots initialised with io_timeout 10 make the join wait 2*10 s; joining with N=1 puts our
        // own fail threshold at 8 s, so the join's timestamp is already "too old" when it completes.
        Areas.initLockspace(mem, 3 << 20, G, "LS2", 10);
        LeaseEngine a = engine("hostA");
        List<String> seen = new CopyOnWriteArrayList<>();
        a.addListener(new LockspaceListener() {
            @Override
            public void lockspaceFailing(LockspaceEvent e) {
                seen.add("failing");
            }

            @Override
            public void lockspaceLost(LockspaceEvent e) {
                seen.add("lost");
            }
        });
        long t0 = time.seconds();
        LockspaceInfo info = join(a, new LockspaceSpec("LS2", 1, PATH, 3 << 20), 1);
        assertThat(time.seconds() - t0).as("short delay from the slot's io_timeout").isEqualTo(20);
        assertThat(info.state()).isEqualTo(LockspaceState.JOINED);
        assertThat(time.seconds() - info.lastSuccess()).as("renewed at once after the long join").isZero();
        long joined = time.seconds();
        advanceUntil("two more renewals", 20, () -> {
            try {
                // the history starts with the join and the renewal done at once after it
                return a.renewals("LS2").stream().filter(r -> r.timestamp() > info.lastSuccess()).count() >= 2;
            } catch (SanlockException e) {
                return false;
            }
        });
        assertThat(time.seconds() - joined).as("two renewals 2N+0.5 s apart").isEqualTo(4);
        assertThat(seen).isEmpty();
        assertThat(a.lockspaceState("LS2")).contains(LockspaceState.JOINED);
        assertThat(a.logDump()).contains("renewed at once after a join");
    }

    @Test
    void renewalFailureMakesTheLockspaceFailingAtSixAndLostAtEightIoTimeouts() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<long[]> times = new CopyOnWriteArrayList<>();
        LeaseEngine a = engine("hostA");
        a.addListener(new LockspaceListener() {
            @Override
            public void lockspaceFailing(LockspaceEvent e) {
                seen.add("failing");
                times.add(new long[] {e.at() - e.lastSuccess()});
            }

            @Override
            public void lockspaceLost(LockspaceEvent e) {
                seen.add("lost " + e.leases().size());
                times.add(new long[] {e.at() - e.lastSuccess(), e.killDeadline() - e.lastSuccess()});
            }

            @Override
            public void killDeadline(LockspaceEvent e) {
                seen.add("kill");
                times.add(new long[] {e.at() - e.lastSuccess()});
            }

            @Override
            public void lockspaceRemoved(LockspaceEvent e) {
                seen.add("removed");
            }
        });
        join(a, ls(1), 1);
        List<LossReason> lost = new CopyOnWriteArrayList<>();
        ResourceLease la = a.acquire(R1, AcquireOptions.exclusive().withHolder(new LeaseHolder() {
            @Override
            public void leaseLost(ResourceLease lease, LossReason reason) {
                lost.add(reason);
            }
        }));
        // every renewal read now fails (as a truncated lease file does: -90 every 0.5 s)
        disk.inject(FaultyStorage.Match.any(FaultyStorage.Op.READ), Fault.SHORT, -1);
        advanceUntil("lost", 20, () -> seen.contains("lost 1"));
        assertThat(seen).startsWith("failing", "lost 1");
        assertThat(times.get(0)[0]).isEqualTo(6);  // 6N
        assertThat(times.get(1)[0]).isEqualTo(8);  // 8N
        assertThat(times.get(1)[1]).isEqualTo(48); // 8N + G
        // listeners and holders are called before advance returns: nothing to wait for
        assertThat(lost).contains(LossReason.LOCKSPACE_LOST);
        assertThat(a.isHeld(la)).isFalse();
        assertThat(a.lockspaceState("LS")).contains(LockspaceState.LOST);
        assertThatThrownBy(() -> a.acquire(R2, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ENOSPC));
        advanceUntil("kill deadline", 60, () -> seen.contains("kill"));
        assertThat(times.get(2)[0]).isEqualTo(48);
        assertThat(a.lockspaceState("LS")).as("not freed while a holder has not released").contains(LockspaceState.LOST);
        disk.clearFaults();
        byte[] before = mem.copy(1 << 20, 512);
        a.release(la); // no I/O for a lost lease
        assertThat(mem.copy(1 << 20, 512)).isEqualTo(before);
        // the monitor's next check (200 ms) sees no holder and leaves
        time.advance(Duration.ofMillis(200));
        assertThat(seen).contains("removed");
        assertThat(leader(1 << 20).timestamp()).as("lease stays owned on disk").isNotZero();
        assertThat(a.logDump()).contains("check_our_lease warning", "check_our_lease failed 8");
    }

    @Test
    void severalLockspacesWithOwnHostIdsAndConcurrentAcquires() throws Exception {
        LeaseEngine a = engine("hostA");
        join(a, ls(1), 1);
        LockspaceInfo two = join(a, new LockspaceSpec("LS2", 5, PATH, 3 << 20), 2);
        assertThat(two.ioTimeout()).isEqualTo(2);
        assertThat(a.lockspaces()).extracting(LockspaceInfo::name).containsExactlyInAnyOrder("LS", "LS2");
        ResourceSpec r3 = new ResourceSpec("LS2", "R3", List.of(new ResourceSpec.Disk(PATH, 4 << 20)), 0, false, false);
        CompletableFuture<ResourceLease> f1 = CompletableFuture.supplyAsync(
                () -> acquireUnchecked(a, R1), callers); // free leases: no wait on the clock
        CompletableFuture<ResourceLease> f3 = CompletableFuture.supplyAsync(
                () -> acquireUnchecked(a, r3), callers);
        ResourceLease l1 = f1.get();
        ResourceLease l3 = f3.get();
        assertThat(l1.hostId()).isEqualTo(1);
        assertThat(l3.hostId()).isEqualTo(5);
        assertThat(leader(4 << 20).ownerId()).isEqualTo(5);
        assertThat(a.leases(null)).containsExactlyInAnyOrder(l1, l3);
        a.removeLockspace("LS2", false);
        assertThat(a.isHeld(l3)).isFalse();
        assertThat(a.isHeld(l1)).isTrue();
        assertThat(a.lockspaceState("LS")).contains(LockspaceState.JOINED);
        a.release(l1);
    }

    static ResourceLease acquireUnchecked(LeaseEngine e, ResourceSpec r) {
        try {
            return e.acquire(r, AcquireOptions.exclusive());
        } catch (SanlockException x) {
            throw new IllegalStateException(x);
        }
    }

    @Test
    void sharedLeasesJoinLocallyAndAcrossHostsAndExclusiveIsRefused() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        join(a, ls(1), 1);
        join(b, ls(2), 1);
        ResourceLease s1 = a.acquire(R1, AcquireOptions.shared());
        ResourceLease s2x = a.acquire(R1, AcquireOptions.shared()); // second local holder: no disk I/O
        assertThat(s2x.lver()).isEqualTo(s1.lver());
        ResourceLease s2 = s2x;
        ResourceLease s3 = b.acquire(R1, AcquireOptions.shared());
        assertThat(s3.lver()).isEqualTo(2);
        advanceUntil("b sees a live", 20, () -> live(b, 1));
        ResourceLease r2 = b.acquire(R2, AcquireOptions.shared());
        assertThat(r2.mode()).isEqualTo(LeaseMode.SHARED);
        assertThat(r2.toResourceString()).endsWith(":SH");
        b.release(s3);
        assertThatThrownBy(() -> b.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.EAGAIN));
        assertThatThrownBy(() -> a.convert(s1, LeaseMode.EXCLUSIVE))
                .is(failsWith(SanlockError.EAGAIN));
        assertThatThrownBy(() -> a.convert(s1, LeaseMode.SHARED))
                .is(failsWith(SanlockError.EALREADY));
        a.release(s1);
        assertThat(a.isHeld(s2)).isTrue();
        ResourceLease ex = a.convert(s2, LeaseMode.EXCLUSIVE);
        assertThat(ex.mode()).isEqualTo(LeaseMode.EXCLUSIVE);
        assertThat(ex.lver()).isGreaterThan(s2.lver());
        assertThat(leader(1 << 20).ownerId()).isEqualTo(1);
        s2 = a.convert(ex, LeaseMode.SHARED);
        assertThat(leader(1 << 20).timestamp()).isZero();
        a.release(s2); // last local holder: disk release of the mode block
        ResourceLease x = b.acquire(R1, AcquireOptions.exclusive());
        assertThat(x.mode()).isEqualTo(LeaseMode.EXCLUSIVE);
    }

    @Test
    void localConflictsAndBadInputGiveTheReferencesCodes() throws Exception {
        LeaseEngine a = engine("hostA");
        assertThatThrownBy(() -> a.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ENOSPC));
        assertThatThrownBy(() -> a.addLockspace(new LockspaceSpec("LS", 0, PATH, 0), 1))
                .is(failsWith(SanlockError.EINVAL));
        assertThatThrownBy(() -> a.addLockspace(new LockspaceSpec("LS", 1, "/nope", 0), 1))
                .is(failsWith(SanlockError.ENOENT));
        join(a, ls(1), 1);
        assertThatThrownBy(() -> a.addLockspace(ls(1), 1))
                .is(failsWith(SanlockError.EEXIST));
        assertThatThrownBy(() -> a.addLockspace(ls(2), 1))
                .is(failsWith(SanlockError.EINVAL));
        assertThatThrownBy(() -> a.acquire(res("R1", 2 << 20), AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.LEADER_RESOURCE));
        assertThatThrownBy(() -> a.removeLockspace("NOPE", false))
                .is(failsWith(SanlockError.ENOENT));
        ResourceLease l = a.acquire(R1, AcquireOptions.exclusive());
        assertThatThrownBy(() -> a.removeLockspace("LS", true))
                .is(failsWith(SanlockError.EBUSY));
        a.removeLockspace("LS", false);
        assertThat(a.isHeld(l)).isFalse();
        assertThat(a.lockspaceState("LS")).isEmpty();
        Leader slot = Leader.decode(ByteBuffer.wrap(mem.copy(0, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
        assertThat(slot.timestamp()).as("host_id released").isZero();
        assertThat(leader(1 << 20).timestamp()).as("lease abandoned, not released").isNotZero();
        assertThatThrownBy(() -> LeaseEngine.builder("x".repeat(48)).build())
                .is(failsWith(SanlockError.EINVAL));
    }

    @Test
    void aHaltedHostsLeaseIsTakenOverOnlyAfterHostDeadSeconds() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        join(a, ls(1), 1);
        join(b, ls(2), 1);
        a.acquire(R1, AcquireOptions.exclusive());
        advanceUntil("b sees a live", 20, () -> live(b, 1));
        a.halt();
        byte[] frozen = mem.copy(0, 2 << 20);
        assertThatThrownBy(() -> a.acquire(R2, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ERROR));
        long lastRenewal = leader(0).timestamp(); // a's final delta timestamp (same clock here)
        long lastTs = Leader.decode(ByteBuffer.wrap(mem.copy(0, 512)).order(ByteOrder.LITTLE_ENDIAN), 0).timestamp();
        assertThat(lastTs).isEqualTo(lastRenewal);
        ResourceLease lb = null;
        while (lb == null) {
            try {
                lb = result("b's acquire", 120, call(() -> b.acquire(R1, AcquireOptions.exclusive())));
            } catch (SanlockException e) {
                assertThat(e.code()).isEqualTo(SanlockError.ACQUIRE_IDLIVE.code());
                time.advance(Duration.ofMillis(50));
            }
        }
        long committedAt = leader(1 << 20).timestamp(); // b's clock second of its winning ballot
        long sawLastMove = b.hostStatus("LS", 1).orElseThrow().lastLive();
        // never earlier than 8N+W after the last renewal (+1 for the strict ">" on whole seconds),
        // and at the first 1-second poll after 8N+W from when b last saw a's timestamp change
        assertThat(committedAt - lastTs).isGreaterThanOrEqualTo(69L);
        assertThat(committedAt - sawLastMove).isBetween(69L, 71L);
        assertThat(lb.lver()).isEqualTo(2);
        assertThat(mem.copy(0, 512)).as("the halted host wrote nothing more").isEqualTo(java.util.Arrays.copyOf(frozen, 512));
        assertThat(b.hosts("LS")).filteredOn(h -> h.hostId() == 1).extracting(HostInfo::state)
                .containsExactly(HostState.DEAD);
    }
}
