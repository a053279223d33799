package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.client.Inquiry;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import java.time.Duration;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 1000 registered clients at once, each acquiring and releasing its own resource
 * concurrently (in-memory lease backend: this measures the daemon, not the disks).
 */
@Timeout(120)
@Isolated // nothing beside it (junit-platform.properties): it loads both cores
class DaemonLoadTest {

    @Test
    void thousandClientsThousandResources() throws Exception {
        Path runDir = TempDirs.create("jsanlock-load").resolve("run");
        InMemoryBackend backend = new InMemoryBackend();
        Daemon d = new Daemon(DaemonOptions.parse("-D", "-e", "load").withRunDir(runDir), backend,
                new DaemonLog(MonotonicClock.SYSTEM, null, 6), MonotonicClock.SYSTEM);
        d.start();
        SanlockClient client = new SanlockClient(runDir);
        int n = 1000;
        try {
            client.addLockspace(Lockspace.of("LS", 1, "/mem/LS", 0), 0, false);
            List<Registration> regs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                regs.add(client.register());
            }
            await("1000 registered", Duration.ofMillis(10_000), () -> d.connectionCount() == n);
            CountDownLatch allAcquired = new CountDownLatch(n);
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Registration reg = regs.get(i);
                    Resource r = Resource.of("LS", "R" + i, "/mem/f", i * 1048576L);
                    results.add(ex.submit(() -> {
                        reg.acquire(r);
                        allAcquired.countDown();
                        allAcquired.await(); // all 1000 held at the same moment
                        Inquiry inq = reg.inquire();
                        reg.release(r);
                        assertEquals(0, reg.inquire().count());
                        return inq.state();
                    }));
                }
                for (int i = 0; i < n; i++) {
                    assertEquals("LS:R" + i + ":/mem/f:" + (i * 1048576L) + ":1", results.get(i).get());
                }
            }
            assertThat(backend.held).isEmpty();
            assertThat(backend.released).hasSize(n);
            regs.forEach(Registration::close);
            await("all connections closed", Duration.ofMillis(10_000), () -> d.connectionCount() == 0);
        } finally {
            d.shutdown();
        }
    }
}
