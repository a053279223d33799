package io.jsanlock.engine;

import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.lease.HostState;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.MemoryStorage;
import io.jsanlock.testkit.ScaledClock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine with real threads on a clock running 10x fast, several engines
 * (hosts) over one in-memory disk. Times asserted are on that clock.
 */
class LeaseEngineTest {
    static final Geometry G = Geometry.S512_A1M;
    static final String PATH = "/mem/disk";
    final ScaledClock clock = new ScaledClock(10, 1000);
    final MemoryStorage mem = new MemoryStorage(5 << 20);
    final FaultyStorage disk = new FaultyStorage(mem, clock);
    final List<LeaseEngine> engines = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        disk.setRecording(false);
        Areas.initLockspace(mem, 0, G, "LS", 1);
        Areas.initResource(mem, 1 << 20, G, "LS", "R1", 0);
        Areas.initResource(mem, 2 << 20, G, "LS", "R2", 0);
        Areas.initLockspace(mem, 3 << 20, G, "LS2", 1);
        Areas.initResource(mem, 4 << 20, G, "LS2", "R3", 0);
    }

    @AfterEach
    void tearDown() {
        for (LeaseEngine e : engines) {
            if (!e.halted()) {
                e.close();
            }
        }
    }

    LeaseEngine engine(String name) throws SanlockException {
        LeaseEngine e = LeaseEngine.builder(name).clock(clock).seed(7).storage(p -> {
            if (!p.equals(PATH)) {
                throw new SanlockException(SanlockError.ENOENT, "no such path " + p);
            }
            return disk;
        }).build();
        engines.add(e);
        return e;
    }

    static LockspaceSpec ls(long hostId) {
        return new LockspaceSpec("LS", hostId, PATH, 0);
    }

    static ResourceSpec res(String name, long offset) {
        return new ResourceSpec("LS", name, List.of(new ResourceSpec.Disk(PATH, offset)), 0, false, false);
    }

    static final ResourceSpec R1 = res("R1", 1 << 20);
    static final ResourceSpec R2 = res("R2", 2 << 20);

    /** The kit's await on this test's scaled clock: {@code virtualSeconds} of protocol time. */
    void await(String what, long virtualSeconds, BooleanSupplier cond) {
        Await.await(what, clock, Duration.ofSeconds(virtualSeconds), cond::getAsBoolean);
    }

    static int code(Throwable t) {
        return ((SanlockException) t).code();
    }

    Leader leader(long offset) {
        return Leader.decode(ByteBuffer.wrap(mem.copy(offset, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
    }

    @Test
    void twoHostsJoinSeeEachOtherLiveAndContendForALease() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        long t0 = clock.seconds();
        LockspaceInfo ia = a.addLockspace(ls(1), 1);
        assertThat(clock.seconds() - t0).isBetween(2L, 3L); // 2·io_timeout short delay
        assertThat(ia.generation()).isEqualTo(1);
        assertThat(ia.state()).isEqualTo(LockspaceState.JOINED);
        b.addLockspace(ls(2), 1);
        assertThatThrownBy(() -> b.hosts("LS")).is(failsWith(SanlockError.EAGAIN));
        await("mutual LIVE", 20, () -> live(a, 2) && live(b, 1));

        ResourceLease la = a.acquire(R1, AcquireOptions.exclusive());
        assertThat(la.lver()).isEqualTo(1);
        List<RenewalRecord> ren = a.renewals("LS");
        assertThat(ren).isNotEmpty();
        for (int i = 1; i < ren.size(); i++) { // renewals are 2N+0.5 .. 2N+1.5 s apart
            assertThat(ren.get(i).timestamp() - ren.get(i - 1).timestamp()).isBetween(2L, 6L);
        }
        assertThat(la.toResourceString()).isEqualTo("LS:R1:/mem/disk:1048576:1");
        assertThat(a.isHeld(la)).isTrue();
        assertThatThrownBy(() -> a.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.EEXIST));
        long tb = clock.seconds();
        assertThatThrownBy(() -> b.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ACQUIRE_IDLIVE));
        // within one owner renewal interval (2N+1.5 s), with slack for this 10x clock on a busy machine
        assertThat(clock.seconds() - tb).as("-243 within one owner renewal").isLessThanOrEqualTo(6);
        a.release(la);
        assertThat(a.isHeld(la)).isFalse();
        assertThatThrownBy(() -> a.release(la)).is(failsWith(SanlockError.EPERM));
        ResourceLease lb = b.acquire(R1, AcquireOptions.exclusive());
        assertThat(lb.lver()).isEqualTo(2);
        assertThat(leader(1 << 20).ownerId()).isEqualTo(2);
        assertThat(b.leases("LS")).containsExactly(lb);
        assertThat(b.logDump()).contains("ballot 2 commit self owner 2 1");
    }

    static boolean live(LeaseEngine e, long hostId) {
        try {
            return e.hosts("LS").stream().anyMatch(h -> h.hostId() == hostId && h.state() == HostState.LIVE);
        } catch (SanlockException x) {
            return false;
        }
    }

    @Test
    void severalLockspacesWithOwnHostIdsAndConcurrentAcquires() throws Exception {
        LeaseEngine a = engine("hostA");
        a.addLockspace(ls(1), 1);
        LockspaceInfo two = a.addLockspace(new LockspaceSpec("LS2", 5, PATH, 3 << 20), 2);
        assertThat(two.ioTimeout()).isEqualTo(2);
        assertThat(a.lockspaces()).extracting(LockspaceInfo::name).containsExactlyInAnyOrder("LS", "LS2");
        ResourceSpec r3 = new ResourceSpec("LS2", "R3", List.of(new ResourceSpec.Disk(PATH, 4 << 20)), 0, false, false);
        java.util.concurrent.CompletableFuture<ResourceLease> f1 = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> acquireUnchecked(a, R1));
        java.util.concurrent.CompletableFuture<ResourceLease> f3 = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> acquireUnchecked(a, r3));
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
        a.addLockspace(ls(1), 1);
        b.addLockspace(ls(2), 1);
        ResourceLease s1 = a.acquire(R1, AcquireOptions.shared());
        ResourceLease s2x = a.acquire(R1, AcquireOptions.shared()); // second local holder: no disk I/O
        assertThat(s2x.lver()).isEqualTo(s1.lver());
        ResourceLease s2 = s2x;
        ResourceLease s3 = b.acquire(R1, AcquireOptions.shared());
        assertThat(s3.lver()).isEqualTo(2);
        await("b sees a live", 20, () -> live(b, 1));
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
    void aReleaseRequestReachesTheHolderThroughTheBitmap() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        a.addLockspace(ls(1), 1);
        b.addLockspace(ls(2), 1);
        List<String> requests = new CopyOnWriteArrayList<>();
        ResourceLease la = a.acquire(R1, AcquireOptions.exclusive().withHolder(new LeaseHolder() {
            @Override
            public void releaseRequested(ResourceLease lease, long lver, int forceMode) {
                requests.add(lease.resource() + " " + lver + " " + forceMode);
            }
        }));
        assertThatThrownBy(() -> b.request(R1, 1, 1, false))
                .is(failsWith(SanlockError.REQUEST_OLD));
        long t0 = clock.seconds();
        assertThat(b.request(R1, 2, 2, false)).isEqualTo(1);
        // one requester renewal publishes the bit, one owner renewal reads it: <= 2·(2N+1.5)
        await("request delivered", 12, () -> !requests.isEmpty());
        assertThat(clock.seconds() - t0).isLessThanOrEqualTo(7);
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
        a.addLockspace(ls(1), 1);
        b.addLockspace(ls(2), 1);
        a.setEvent("LS", 2, 1, 7, 99);
        assertThatThrownBy(() -> a.setEvent("LS", 2, 1, 8, 99))
                .is(failsWith(SanlockError.EBUSY));
        await("event delivered", 12, () -> !got.isEmpty());
        assertThat(got.get(0)).isEqualTo(new HostEvent("LS", 1, 1, 1, 7, 99));
        Leader slot = Leader.decode(ByteBuffer.wrap(mem.copy(0, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
        assertThat(slot.writeGeneration()).isEqualTo(7);
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
        long t0 = clock.seconds();
        LockspaceInfo info = a.addLockspace(new LockspaceSpec("LS2", 1, PATH, 3 << 20), 1);
        assertThat(clock.seconds() - t0).as("short delay from the slot's io_timeout").isGreaterThanOrEqualTo(20);
        assertThat(info.state()).isEqualTo(LockspaceState.JOINED);
        assertThat(clock.seconds() - info.lastSuccess()).as("renewed at once after the long join").isLessThan(2);
        long joined = clock.seconds();
        await("two more renewals", 20, () -> {
            try {
                // the history starts with the join and the renewal done at once after it
                return a.renewals("LS2").stream().filter(r -> r.timestamp() > info.lastSuccess()).count() >= 2;
            } catch (SanlockException e) {
                return false;
            }
        });
        assertThat(clock.seconds() - joined).isGreaterThanOrEqualTo(4);
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
        a.addLockspace(ls(1), 1);
        List<LossReason> lost = new CopyOnWriteArrayList<>();
        ResourceLease la = a.acquire(R1, AcquireOptions.exclusive().withHolder(new LeaseHolder() {
            @Override
            public void leaseLost(ResourceLease lease, LossReason reason) {
                lost.add(reason);
            }
        }));
        // every renewal read now fails (as a truncated lease file does: -90 every 0.5 s)
        disk.inject(FaultyStorage.Match.any(FaultyStorage.Op.READ), Fault.SHORT, -1);
        await("lost", 20, () -> seen.contains("lost 1"));
        assertThat(seen).startsWith("failing", "lost 1");
        assertThat(times.get(0)[0]).isEqualTo(6);  // 6N
        assertThat(times.get(1)[0]).isEqualTo(8);  // 8N
        assertThat(times.get(1)[1]).isEqualTo(48); // 8N + G
        await("holder told", 5, () -> lost.contains(LossReason.LOCKSPACE_LOST));
        assertThat(a.isHeld(la)).isFalse();
        assertThat(a.lockspaceState("LS")).contains(LockspaceState.LOST);
        assertThatThrownBy(() -> a.acquire(R2, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ENOSPC));
        await("kill deadline", 60, () -> seen.contains("kill"));
        assertThat(times.get(2)[0]).isEqualTo(48);
        assertThat(a.lockspaceState("LS")).as("not freed while a holder has not released").contains(LockspaceState.LOST);
        disk.clearFaults();
        byte[] before = mem.copy(1 << 20, 512);
        a.release(la); // no I/O for a lost lease
        assertThat(mem.copy(1 << 20, 512)).isEqualTo(before);
        await("removed", 10, () -> seen.contains("removed"));
        assertThat(leader(1 << 20).timestamp()).as("lease stays owned on disk").isNotZero();
        assertThat(a.logDump()).contains("check_our_lease warning", "check_our_lease failed 8");
    }

    @Test
    void aHaltedHostsLeaseIsTakenOverOnlyAfterHostDeadSeconds() throws Exception {
        LeaseEngine a = engine("hostA");
        LeaseEngine b = engine("hostB");
        a.addLockspace(ls(1), 1);
        b.addLockspace(ls(2), 1);
        a.acquire(R1, AcquireOptions.exclusive());
        await("b sees a live", 20, () -> live(b, 1));
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
                lb = b.acquire(R1, AcquireOptions.exclusive());
            } catch (SanlockException e) {
                assertThat(e.code()).isEqualTo(SanlockError.ACQUIRE_IDLIVE.code());
                Thread.sleep(50);
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

    @Test
    void localConflictsAndBadInputGiveTheReferencesCodes() throws Exception {
        LeaseEngine a = engine("hostA");
        assertThatThrownBy(() -> a.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ENOSPC));
        assertThatThrownBy(() -> a.addLockspace(new LockspaceSpec("LS", 0, PATH, 0), 1))
                .is(failsWith(SanlockError.EINVAL));
        assertThatThrownBy(() -> a.addLockspace(new LockspaceSpec("LS", 1, "/nope", 0), 1))
                .is(failsWith(SanlockError.ENOENT));
        a.addLockspace(ls(1), 1);
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

    /**
     * The lockspace starts leaving while an acquire is between its ballot and its commit
     * write: the commit still lands (the I/O was issued), but the lease must not be granted
     * — the removal has already looked for holders — and the host_id must stay ours until
     * that acquire has ended, or another host could take the committed lease while a
     * caller believes it holds it.
     */
    @Test
    void anAcquireCommittingAsTheLockspaceIsRemovedIsRefusedAndTheHostIdWaitsForIt() throws Exception {
        LeaseEngine a = engine("hostA");
        a.addLockspace(ls(1), 1);
        java.util.concurrent.atomic.AtomicReference<Thread> remover = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong slotDuringRemoval = new java.util.concurrent.atomic.AtomicLong(-1);
        disk.before(FaultyStorage.Match.write(1 << 20), 1, () -> {
            // in the acquiring thread, just before the commit write: start the removal and
            // let it get as far as it can
            remover.set(Thread.ofPlatform().start(() -> {
                try {
                    a.removeLockspace("LS", false);
                } catch (SanlockException e) {
                    throw new IllegalStateException(e);
                }
            }));
            long end = System.nanoTime() + 5_000_000_000L;
            while (a.lockspaceState("LS").orElse(null) != LockspaceState.REMOVING && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            try {
                Thread.sleep(100); // give a wrong removal time to release the host_id
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slotDuringRemoval.set(hostSlot(1).timestamp());
        });
        assertThatThrownBy(() -> a.acquire(R1, AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ENOSPC));
        remover.get().join(10_000);
        assertThat(slotDuringRemoval.get()).as("host_id still ours while the acquire was running").isNotZero();
        assertThat(leader(1 << 20).ownerId()).as("the commit landed and was abandoned, not released").isEqualTo(1);
        assertThat(a.lockspaceState("LS")).isEmpty();
        assertThat(hostSlot(1).timestamp()).as("host_id released after the acquire ended").isZero();
        assertThat(a.leases(null)).isEmpty();
    }

    /** The same with the lockspace lost (renewals failing for 8N) during the acquire. */
    @Test
    void anAcquireCommittingAsTheLockspaceIsLostIsRefused() throws Exception {
        LeaseEngine a = engine("hostA");
        a.addLockspace(ls(1), 1);
        List<LossReason> told = new CopyOnWriteArrayList<>();
        disk.before(FaultyStorage.Match.write(1 << 20), 1, () -> {
            disk.inject(FaultyStorage.Match.write(0), Fault.ERROR, -1); // host 1's renewals fail from now on
            long end = System.nanoTime() + 10_000_000_000L;
            while (a.lockspaceState("LS").orElse(null) != LockspaceState.LOST && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        });
        assertThatThrownBy(() -> a.acquire(R1, AcquireOptions.exclusive().withHolder(new LeaseHolder() {
            @Override
            public void leaseLost(ResourceLease lease, LossReason reason) {
                told.add(reason);
            }
        }))).is(failsWith(SanlockError.ENOSPC));
        assertThat(told).as("a lease never granted is never lost").isEmpty();
        assertThat(a.leases(null)).isEmpty();
        // nothing holds a lease of the lost lockspace, so it is left (without a delta release:
        // the last renewal failed)
        await("lost lockspace left", 20, () -> a.lockspaceState("LS").isEmpty());
        assertThat(leader(1 << 20).ownerId()).isEqualTo(1);
    }

    Leader hostSlot(int hostId) {
        return leader((hostId - 1) * 512L);
    }
}
