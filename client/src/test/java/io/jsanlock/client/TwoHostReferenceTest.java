package io.jsanlock.client;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.SanlockException;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.EventCallback;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.HostState;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two reference daemons = two hosts (ids 1 and 2) on one lease file: contention (-243),
 * host lists and events between hosts, all through the Java client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// beside the module's other classes (own temporary directory, daemons and lease file; mostly
// waiting at io_timeout 1): client/src/test/resources/junit-platform.properties. The lock, held by
// nothing else, keeps its own cases in order, one at a time.
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("client tests: TwoHostReferenceTest")
@Tag("slow") // two hosts, one of them the reference daemon, joining and contending (~11 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class TwoHostReferenceTest {
    static final long MiB = 1048576L;
    Path leases;
    Reference.Daemon a;
    Reference.Daemon b;
    SanlockClient ca;
    SanlockClient cb;

    @BeforeAll
    void start() throws Exception {
        Path dir = TempDirs.create("jsanlock-two-hosts");
        leases = dir.resolve("leases");
        Reference.initLeaseFile(leases, "LS", "R", "R2");
        a = Reference.Daemon.start(dir.resolve("runA"), "hostA");
        b = Reference.Daemon.start(dir.resolve("runB"), "hostB");
        ca = new SanlockClient(a.runDir);
        cb = new SanlockClient(b.runDir);
        Lockspace l1 = Lockspace.of("LS", 1, leases.toString(), 0);
        Lockspace l2 = Lockspace.of("LS", 2, leases.toString(), 0);
        ca.addLockspace(l1, 1, true);
        cb.addLockspace(l2, 1, true);
        assertEquals(LockspaceState.JOINED, ca.inqLockspace(l1, true));
        assertEquals(LockspaceState.JOINED, cb.inqLockspace(l2, true));
    }

    @AfterAll
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    Resource res(String name, int i) {
        return Resource.of("LS", name, leases.toString(), i * MiB);
    }

    @Test
    void secondHostGetsIdLive() throws Exception {
        try (Registration ra = ca.register(); Registration rb = cb.register()) {
            ra.acquire(res("R", 1));
            SanlockException e = assertThrows(SanlockException.class, () -> rb.acquire(res("R", 1)));
            assertEquals(-243, e.code());
            assertThat(e.getMessage()).contains("SANLK_ACQUIRE_IDLIVE");
            assertEquals(0, rb.inquire().count());
            ResourceOwners owners = cb.readResourceOwners(res("R", 1));
            assertThat(owners.owners()).extracting(Host::hostId).containsExactly(1L);
            // shared on both hosts works
            ra.acquire(res("R2", 2).withFlags(io.jsanlock.wire.ResourceFlags.SHARED));
            rb.acquire(res("R2", 2).withFlags(io.jsanlock.wire.ResourceFlags.SHARED));
            assertThat(cb.readResourceOwners(res("R2", 2)).owners()).extracting(Host::hostId).containsExactlyInAnyOrder(1L, 2L);
            ra.releaseAll();
            rb.releaseAll();
        }
    }

    @Test
    void hostsSeeEachOtherAndEventsArrive() throws Exception {
        await("both hosts live on A", Duration.ofMillis(20_000), () -> {
            try {
                List<Host> hs = ca.getHosts("LS", 0);
                return hs.size() == 2 && hs.stream().allMatch(h -> h.state() == HostState.LIVE);
            } catch (SanlockException e) {
                return false;
            }
        });
        Host h2 = ca.getHosts("LS", 2).get(0);
        assertEquals(2, h2.hostId());
        try (EventChannel ch = ca.registerEvents("LS")) {
            assertThat(ch.next(0)).isNull();
            cb.setEvent("LS", new HostEvent(1, 0, 7, 9), 0);
            // a different event while the first is still being published needs REPLACE
            SanlockException busy = assertThrows(SanlockException.class, () -> cb.setEvent("LS", new HostEvent(1, 0, 8, 9), 0));
            assertEquals(-16, busy.code());
            EventCallback ev = ch.next(20_000);
            assertTrue(ev != null, "no event within 20 s");
            assertEquals(7, ev.event().event());
            assertEquals(9, ev.event().data());
            assertEquals(1, ev.event().hostId());
            assertEquals(2, ev.fromHostId());
            assertThat(ev.fromGeneration()).isPositive();
        }
        assertEquals(-22, assertThrows(SanlockException.class, () -> cb.setEvent("LS", new HostEvent(0, 0, 1, 1), 0)).code());
    }
}
