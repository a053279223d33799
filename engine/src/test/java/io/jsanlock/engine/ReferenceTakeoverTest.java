package io.jsanlock.engine;

import io.jsanlock.testkit.Async;
import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.lease.HostState;
import io.jsanlock.testkit.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * (c) Host death, both ways at once on one lease file, io_timeout 1: a reference
 * daemon holding R1 is SIGSTOPped and a jsanlock host takes R1 over; a jsanlock
 * engine holding R2 is halted and a reference daemon takes R2 over. Both delays
 * are measured the same way — the new owner's commit time (leader timestamp)
 * minus the dead holder's last delta-lease timestamp, both CLOCK_MONOTONIC
 * seconds of this one machine — and jsanlock must not be earlier than 8N+W
 * (+1: "elapsed > limit" on whole seconds) and within 10% of the reference.
 * About 80 s: the one long test class.
 *
 * <p>It runs beside {@link ReferenceInteropTest} ({@code @Execution(CONCURRENT)}; at most two
 * tests at once in this module, engine/src/test/resources/junit-platform.properties): almost all
 * of it is the wait for 8N+W, which is protocol time, not CPU, and the two share nothing but the
 * reference binary (own run directories, own lease files). {@link RandomizedSafetyTest} runs alone.
 */
@Tag("slow") // takeovers wait 8N+W (69 s each) on reference daemons
@Execution(ExecutionMode.CONCURRENT)
class ReferenceTakeoverTest {
    static final long R1 = 1L << 20;
    static final long R2 = 2L << 20;

    @TempDir
    Path tmp;
    final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    @Test
    void eachSideTakesADeadHostsLeaseNoEarlierThanHostDeadSecondsAndWithinTenPercentOfTheOther() throws Exception {
        Reference.require();
        Path file = tmp.resolve("leases");
        Reference.createFile(file, 4L << 20);
        String path = file.toString();
        Reference.initLeases(path, "LS", "R1", "R2");
        Reference.Daemon refA = Reference.Daemon.start(tmp.resolve("runA"), "refA");
        cleanup.add(refA);
        Reference.Daemon refC = Reference.Daemon.start(tmp.resolve("runC"), "refC");
        cleanup.add(refC);
        LeaseEngine jsB = LeaseEngine.builder("jsanB").build();
        cleanup.add(jsB);
        LeaseEngine jsD = LeaseEngine.builder("jsanD").build();
        cleanup.add(jsD);
        List<CompletableFuture<?>> joins = List.of(
                CompletableFuture.runAsync(() -> join(refA, path, 1), Async.executor()),
                CompletableFuture.runAsync(() -> join(refC, path, 3), Async.executor()),
                jsB.addLockspaceAsync(new LockspaceSpec("LS", 2, path, 0), 1),
                jsD.addLockspaceAsync(new LockspaceSpec("LS", 4, path, 0), 1));
        for (CompletableFuture<?> f : joins) {
            f.get(60, TimeUnit.SECONDS);
        }
        refA.hold("LS:R1:" + path + ":" + R1);
        ResourceSpec r1 = new ResourceSpec("LS", "R1", List.of(new ResourceSpec.Disk(path, R1)), 0, false, false);
        ResourceSpec r2 = new ResourceSpec("LS", "R2", List.of(new ResourceSpec.Disk(path, R2)), 0, false, false);
        jsD.acquire(r2, AcquireOptions.exclusive());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Reference.leader(path, R1).ownerId() == 1 && Reference.leader(path, R1).timestamp() != 0
                && jsB.hosts("LS").stream().filter(h -> (h.hostId() == 1 || h.hostId() == 4)
                        && h.state() == HostState.LIVE).count() == 2)) {
            assertThat(System.nanoTime()).as("setup: R1 held, hosts live").isLessThan(deadline);
            Thread.sleep(200);
        }
        long lverR1 = Reference.leader(path, R1).lver();
        long lverR2 = Reference.leader(path, R2).lver();

        // both holders die at about the same time, without releasing
        refA.signal("STOP");
        jsD.halt();
        Thread.sleep(1500); // let any renewal already in flight land
        long aLast = Reference.leader(path, 0).timestamp();
        long dLast = Reference.leader(path, 3 * 512).timestamp();
        assertThat(aLast).isNotZero();
        assertThat(dLast).isNotZero();

        CompletableFuture<ResourceLease> jsTake = CompletableFuture.supplyAsync(() -> {
            while (true) {
                try {
                    return jsB.acquire(r1, AcquireOptions.exclusive());
                } catch (SanlockException e) {
                    if (e.code() != SanlockError.ACQUIRE_IDLIVE.code()) {
                        throw new IllegalStateException(e);
                    }
                    sleep(500);
                }
            }
        }, Async.executor());
        CompletableFuture<Process> refTake = CompletableFuture.supplyAsync(() -> {
            try {
                while (true) {
                    Process p = refC.hold("LS:R2:" + path + ":" + R2);
                    while (p.isAlive()) {
                        Leader l = Reference.leader(path, R2);
                        if (l.ownerId() == 3 && l.timestamp() != 0) {
                            return p;
                        }
                        Thread.sleep(200);
                    }
                    String out = new String(p.getInputStream().readAllBytes());
                    assertThat(out).contains("acquire done -243");
                    Thread.sleep(500);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Async.executor());
        ResourceLease taken = jsTake.get(150, TimeUnit.SECONDS);
        refTake.get(150, TimeUnit.SECONDS);

        Leader l1 = Reference.leader(path, R1);
        Leader l2 = Reference.leader(path, R2);
        assertThat(l1.ownerId()).isEqualTo(2);
        assertThat(l1.lver()).isEqualTo(lverR1 + 1);
        assertThat(taken.lver()).isEqualTo(lverR1 + 1);
        assertThat(l2.ownerId()).isEqualTo(3);
        assertThat(l2.lver()).isEqualTo(lverR2 + 1);
        long jsDelay = l1.timestamp() - aLast;
        long refDelay = l2.timestamp() - dLast;
        System.out.printf("takeover after the dead host's last renewal: jsanlock %d s, reference %d s%n", jsDelay,
                refDelay);
        assertThat(jsDelay).as("jsanlock takeover delay").isGreaterThanOrEqualTo(8 + 60 + 1);
        assertThat(refDelay).as("reference takeover delay").isGreaterThanOrEqualTo(8 + 60 + 1);
        assertThat((double) Math.abs(jsDelay - refDelay)).as("jsanlock %d vs reference %d", jsDelay, refDelay)
                .isLessThanOrEqualTo(0.10 * refDelay);
        assertThat(jsB.logDump()).containsPattern("dead \\d+-\\d+>68");
        assertThat(refC.log()).containsPattern("dead \\d+-\\d+>68");
    }

    private static void join(Reference.Daemon d, String path, long hostId) {
        try {
            d.join("LS", hostId, path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
