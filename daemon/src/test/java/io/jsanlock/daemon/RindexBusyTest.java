package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.testkit.Async;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index commands' use of the internal lease and their exclusion, on the in-memory
 * backend (whose acquire can be held up) and a real index file: one index operation per
 * lockspace at a time (-16 for others and for REM_LOCKSPACE meanwhile), the rindex_lease
 * acquired at rindex offset + align and always released, also when the operation fails.
 */
@Timeout(60)
class RindexBusyTest {
    static final long MiB = 1048576L;

    /** The in-memory backend with an acquire that waits at a gate. */
    static final class GatedBackend extends InMemoryBackend {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        volatile Resource lastAcquired;

        @Override
        public HeldLease acquire(Resource r, int cmdFlags, int pid) throws SanlockException {
            lastAcquired = r;
            entered.countDown();
            try {
                assertTrue(gate.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.acquire(r, cmdFlags, pid);
        }
    }

    Path dir;
    GatedBackend backend;
    Daemon daemon;
    SanlockClient client;
    ResourceIndex rx;
    final Lockspace ls = Lockspace.of("LS", 1, "/mem/LS", 0);

    @BeforeEach
    void start() throws Exception {
        dir = TempDirs.create("jsanlock-rindex-busy");
        backend = new GatedBackend();
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostJ").withRunDir(dir.resolve("run"));
        daemon = new Daemon(o, backend, new DaemonLog(MonotonicClock.SYSTEM, null, 7), MonotonicClock.SYSTEM);
        daemon.start();
        client = new SanlockClient(dir.resolve("run"));
        Path f = dir.resolve("rx");
        Files.write(f, new byte[(int) (8 * MiB)]);
        rx = new ResourceIndex(0, 0, "LS", new Disk(f.toString(), 0));
        client.formatRindex(rx);
        client.addLockspace(ls, 1, false);
    }

    @AfterEach
    void stop() throws Exception {
        backend.gate.countDown();
        daemon.shutdown();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static int code(SanlockClientCall call) {
        return assertThrows(SanlockException.class, call::run).code();
    }

    interface SanlockClientCall {
        void run() throws SanlockException;
    }

    @Test
    void oneIndexOperationPerLockspaceAndTheLeaseIsAlwaysReleased() throws Exception {
        CompletableFuture<ResourceEntry> create = CompletableFuture.supplyAsync(() -> {
            try {
                return client.createResource(rx, "A", 0, 0);
            } catch (SanlockException e) {
                throw new RuntimeException(e);
            }
        }, Async.executor());
        assertTrue(backend.entered.await(20, TimeUnit.SECONDS), "create did not reach the rindex_lease acquire");
        assertEquals("rindex_lease", backend.lastAcquired.name());
        assertEquals(List.of(new Disk(rx.disk().path(), MiB)), backend.lastAcquired.disks());

        assertEquals(-16, code(() -> client.lookupRindex(rx, ResourceEntry.EMPTY, false)));
        assertEquals(-16, code(() -> client.updateRindex(rx, new ResourceEntry("B", 3 * MiB, 0), CommandFlags.RXUP_ADD)));
        assertEquals(-16, code(() -> client.remLockspace(ls, false, false)));
        assertEquals(0, backend.inqLockspace(ls), "the lockspace stays while the index operation runs");

        backend.gate.countDown();
        assertEquals(2 * MiB, create.get(20, TimeUnit.SECONDS).offset());
        assertEquals(List.of("LS:rindex_lease"), backend.released);
        assertEquals(new ResourceEntry("A", 2 * MiB, 0), client.lookupRindex(rx, new ResourceEntry("A", 0, 0), false));

        // a failing operation under the lease releases it too
        assertEquals(-2, code(() -> client.deleteResource(rx, new ResourceEntry("NOPE", 0, 0))));
        assertEquals(List.of("LS:rindex_lease", "LS:rindex_lease"), backend.released);
        assertTrue(backend.held.isEmpty());
        // and the lockspace can go once nothing runs
        client.remLockspace(ls, false, false);
        assertEquals(-2, backend.inqLockspace(ls));
    }
}
