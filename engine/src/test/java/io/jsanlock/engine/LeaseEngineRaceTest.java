package io.jsanlock.engine;

import static io.jsanlock.engine.SharedDisk.R1;
import static io.jsanlock.engine.SharedDisk.ls;
import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.MemoryStorage;
import io.jsanlock.testkit.ScaledClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races between an acquire and its lockspace leaving, with real threads: a storage hook in
 * the acquiring thread starts the removal (or the loss) and waits, in real time, for the
 * engine's other threads to get as far as they can. That needs threads running freely, so
 * these tests are on a clock running 2x real time rather than on the manual clock of
 * {@link LeaseEngineTest} (where the protocol's timing is asserted). They assert no
 * duration; their real-time bounds only limit how long a broken engine is waited for, and
 * are chosen so that a loaded 2-core machine meets them: a renewal thread would have to
 * stall 4 s of real time (8N at N=1 on this clock) to lose the lockspace where it must not.
 */
class LeaseEngineRaceTest {
    final ScaledClock clock = new ScaledClock(2, 1000);
    final SharedDisk shared = new SharedDisk(clock);
    final MemoryStorage mem = shared.mem;
    final FaultyStorage disk = shared.disk;

    @AfterEach
    void tearDown() {
        shared.close();
    }

    LeaseEngine engine(String name) throws SanlockException {
        return shared.engine(name, b -> b.clock(clock));
    }

    /** Waits up to 60 s of real time: an outcome awaited, not a duration asserted. */
    void await(String what, BooleanSupplier cond) {
        Await.await(what, Duration.ofSeconds(60), cond::getAsBoolean);
    }

    Leader leader(long offset) {
        return shared.leader(offset);
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
            long end = System.nanoTime() + 60_000_000_000L; // 8N is 4 s of real time on this clock
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
        await("lost lockspace left", () -> a.lockspaceState("LS").isEmpty());
        assertThat(leader(1 << 20).ownerId()).isEqualTo(1);
    }

    Leader hostSlot(int hostId) {
        return leader((hostId - 1) * 512L);
    }
}
