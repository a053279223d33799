package io.jsanlock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.MemoryStorage;
import io.jsanlock.testkit.ScaledClock;
import io.jsanlock.testkit.Seeds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Randomised safety: 4 jsanlock hosts on one in-memory disk contend for 3
 * resources with random acquire/hold/release, hosts halted without release
 * (crash) and restarted, and hosts whose storage stalls (renewals fail: the
 * lockspace is lost, holders are told and stop). A {@link Guard} that owns no
 * lease logic checks that no two holders ever hold one resource at once and
 * that lver strictly increases per resource.
 *
 * <p>The clock runs 10x fast (one shared clock: hosts agree on the rate, as real
 * clocks do), so ~60 s real are ~600 protocol seconds with several takeovers.
 * Random decisions are seeded (printed; {@code -Djsanlock.seed=N} repeats them);
 * thread interleavings are not reproducible, the decisions are.
 *
 * <p>{@code @Isolated}: nothing else runs beside it (the module's slow reference tests run side
 * by side, engine/src/test/resources/junit-platform.properties): at 10x, a stall of 0.8 s real
 * is 8 protocol seconds, and the run should spend its virtual time contending, not losing lockspaces
 * to another test's load.
 */
@Tag("slow") // a randomized multi-host run, ~55 s
@Isolated
class RandomizedSafetyTest {
    static final Geometry G = Geometry.S512_A1M;
    static final String PATH = "/mem/safety";
    static final int HOSTS = 4;
    static final int RESOURCES = 3;
    static final long RUN_VIRTUAL_SECONDS = 550;

    /** The independent checker: stamps and re-validates, no lease logic. */
    static final class Guard {
        final Map<Integer, String> holder = new ConcurrentHashMap<>();
        final Map<Integer, AtomicLong> maxLver = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicInteger entries = new AtomicInteger();

        synchronized void enter(int res, String who, long lver) {
            AtomicLong m = maxLver.computeIfAbsent(res, k -> new AtomicLong());
            long prev = m.getAndAccumulate(lver, Math::max);
            if (lver <= prev) {
                violations.add("R" + res + ": lver " + lver + " by " + who + " not above " + prev);
            }
            String stamp = who + "@" + lver;
            String cur = holder.putIfAbsent(res, stamp);
            if (cur != null) {
                violations.add("R" + res + ": " + stamp + " entered while " + cur + " holds it");
            }
            entries.incrementAndGet();
        }

        synchronized void exit(int res, String who, long lver) {
            String stamp = who + "@" + lver;
            if (!holder.remove(res, stamp)) {
                violations.add("R" + res + ": " + stamp + " leaving but the record says " + holder.get(res));
            }
        }
    }

    final ScaledClock clock = new ScaledClock(10, 5000);
    final MemoryStorage mem = new MemoryStorage((RESOURCES + 1) << 20);
    final Guard guard = new Guard();
    final AtomicInteger halts = new AtomicInteger();
    final AtomicInteger stalls = new AtomicInteger();
    final AtomicInteger takeovers = new AtomicInteger();

    static ResourceSpec res(int i) {
        return new ResourceSpec("LS", "R" + i, List.of(new ResourceSpec.Disk(PATH, (long) i << 20)), 0, false, false);
    }

    /** One host: restarted (new engine, same name and host id) after each halt. */
    final class Host implements Runnable {
        final int id;
        final Random rnd;
        final FaultyStorage disk = new FaultyStorage(mem, clock);
        volatile LeaseEngine engine;
        volatile boolean stop;

        Host(int id, long seed) {
            this.id = id;
            this.rnd = new Random(seed);
            disk.setRecording(false);
        }

        LeaseEngine start() throws SanlockException {
            LeaseEngine e = LeaseEngine.builder("host" + id).clock(clock).seed(rnd.nextLong()).storage(p -> disk)
                    .logCapacity(2000).build();
            engine = e;
            return e;
        }

        @Override
        public void run() {
            try {
                loop();
            } catch (Throwable t) {
                guard.violations.add("host" + id + " crashed: " + t);
            }
        }

        void loop() throws Exception {
            LeaseEngine e = start();
            long end = clock.seconds() + RUN_VIRTUAL_SECONDS;
            while (!stop && clock.seconds() < end) {
                if (e.lockspaceState("LS").isEmpty()) {
                    try {
                        e.addLockspace(new LockspaceSpec("LS", id, PATH, 0), 1);
                    } catch (SanlockException x) {
                        clock.sleepNanos(1_000_000_000L);
                        continue;
                    }
                }
                int r = 1 + rnd.nextInt(RESOURCES);
                if (hold(e, r)) {
                    clock.sleepNanos(rnd.nextInt(20) * 1_000_000_000L);
                    e = start();
                    continue;
                }
                clock.sleepNanos(rnd.nextInt(1500) * 1_000_000L);
            }
        }

        /** Acquires, holds, releases — or crashes (returns true) or stalls while holding. */
        boolean hold(LeaseEngine e, int r) throws Exception {
            String who = "host" + id + "#" + System.identityHashCode(e);
            AtomicReference<ResourceLease> lost = new AtomicReference<>();
            Object stamp = new Object();
            // leaseLost can arrive before acquire() returns (the lockspace was lost as the ballot
            // committed): the holder then never entered, so it must not leave; the enter below
            // stamps and drops it in one go.
            boolean[] entered = {false};
            ResourceLease lease;
            try {
                lease = e.acquire(res(r), AcquireOptions.exclusive().withHolder(new LeaseHolder() {
                    @Override
                    public void leaseLost(ResourceLease l, LossReason why) {
                        synchronized (stamp) {
                            if (lost.compareAndSet(null, l) && entered[0]) {
                                guard.exit(r, who, l.lver()); // the holder stops using it at once
                            }
                        }
                    }
                }));
            } catch (SanlockException x) {
                return false; // -243, -244, -245, -11, I/O errors, ENOSPC while lost: all fine
            }
            synchronized (stamp) {
                guard.enter(r, who, lease.lver());
                entered[0] = true;
                if (lost.get() != null) {
                    guard.exit(r, who, lease.lver()); // stamped and dropped in one go
                }
            }
            int dice = rnd.nextInt(100);
            if (dice < 8) { // crash while holding: the holder dies with the host, nothing is released
                synchronized (stamp) {
                    if (lost.compareAndSet(null, lease)) {
                        guard.exit(r, who, lease.lver());
                    }
                }
                halts.incrementAndGet();
                e.halt();
                countTakeovers(e);
                return true;
            }
            long until = clock.nanos() + rnd.nextInt(4000) * 1_000_000L;
            boolean stall = dice < 16;
            if (stall) { // every I/O of this host fails or hangs for 2..15 s while holding
                stalls.incrementAndGet();
                disk.inject((op, off, len) -> true, rnd.nextBoolean() ? Fault.ERROR : Fault.TIMEOUT, 0,
                        SanlockError.EIO, -1);
                until = clock.nanos() + (2 + rnd.nextInt(14)) * 1_000_000_000L;
            }
            while (clock.nanos() < until && lost.get() == null) {
                Thread.sleep(2);
            }
            if (stall) {
                disk.clearFaults();
            }
            synchronized (stamp) {
                if (lost.compareAndSet(null, lease)) {
                    guard.exit(r, who, lease.lver());
                } else {
                    lost.set(lease);
                }
            }
            try {
                e.release(lease);
            } catch (SanlockException x) {
                // -250/-251 or I/O errors during a stall: the lease stays owned on disk; others take it over
            }
            return false;
        }
    }

    /** Acquires that went through the owner-dead / owner-gone path, from the engine's log. */
    void countTakeovers(LeaseEngine e) {
        for (String line : e.logRing().lines()) {
            if (line.contains("paxos_acquire owner") && Boolean.getBoolean("jsanlock.debug")) {
                System.out.println(line);
            }
            if (line.contains("paxos_acquire owner") && (line.contains(" dead ") || line.contains("delta free")
                    || line.contains("mismatch"))) {
                takeovers.incrementAndGet();
            }
        }
    }

    @Test
    void noTwoHoldersAtOnceAndLverStrictlyIncreases() throws Exception {
        long seed = Seeds.seed(RandomizedSafetyTest.class);
        Areas.initLockspace(mem, 0, G, "LS", 1);
        for (int i = 1; i <= RESOURCES; i++) {
            Areas.initResource(mem, (long) i << 20, G, "LS", "R" + i, 0);
        }
        Random master = new Random(seed);
        List<Host> hosts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 1; i <= HOSTS; i++) {
            Host h = new Host(i, master.nextLong());
            hosts.add(h);
            Thread t = new Thread(h, "safety-host" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(150_000);
        }
        for (Host h : hosts) {
            h.stop = true;
            LeaseEngine e = h.engine;
            if (e != null && !e.halted()) {
                e.halt();
                countTakeovers(e);
            }
        }
        System.out.printf("seed=%d entries=%d halts=%d stalls=%d takeovers=%d maxLver=%s%n", seed, guard.entries.get(),
                halts.get(), stalls.get(), takeovers.get(), guard.maxLver);
        assertThat(guard.violations).as("seed " + seed).isEmpty();
        assertThat(guard.entries.get()).as("enough acquisitions to mean something").isGreaterThan(30);
        for (int i = 1; i <= RESOURCES; i++) {
            Leader l = Leader.decode(ByteBuffer.wrap(mem.copy((long) i << 20, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
            AtomicLong m = guard.maxLver.get(i);
            if (m != null) {
                assertThat(l.lver()).as("R%d on disk vs last holder", i).isGreaterThanOrEqualTo(m.get());
            }
        }
    }
}
