package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.client.LockspaceState;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.StorageOpener;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;
import java.time.Duration;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fencing on a real child process: the lockspace's storage starts failing, so renewals
 * fail; at 8N the holder gets SIGTERM (it ignores it), from 8N + G SIGKILL; its lease is
 * then released by the daemon. io_timeout 1 and G = 2 keep it short.
 */
@Timeout(120)
@Isolated // nothing beside it (junit-platform.properties): it bounds when SIGTERM and SIGKILL come to within a second or two
class FencingTest {
    static final long MiB = 1048576L;

    @Test
    void failingStorageLeadsToSigtermThenSigkill() throws Exception {
        Path dir = TempDirs.create("jsanlock-fence");
        Path leases = dir.resolve("leases");
        Files.write(leases, new byte[(int) (2 * MiB)]);
        Process init = new ProcessBuilder("/usr/sbin/sanlock", "direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1")
                .redirectErrorStream(true).start();
        assertEquals(0, init.waitFor(), new String(init.getInputStream().readAllBytes()));
        init = new ProcessBuilder("/usr/sbin/sanlock", "direct", "init", "-r", "LS:R:" + leases + ":" + MiB).start();
        assertEquals(0, init.waitFor());

        FaultyStorage[] faulty = new FaultyStorage[1];
        StorageOpener opener = path -> {
            FaultyStorage f = new FaultyStorage(StorageOpener.DIRECT.open(path), MonotonicClock.SYSTEM);
            faulty[0] = f;
            return f;
        };
        Path run = dir.resolve("run");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-g", "2", "-e", "hostF").withRunDir(run);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        LeaseEngine engine = LeaseEngine.builder("hostF").storage(opener).killGraceSeconds(2).build();
        Daemon d = new Daemon(o, new EngineBackend(engine, log), log, MonotonicClock.SYSTEM);
        List<String> fenced = new java.util.concurrent.CopyOnWriteArrayList<>(); // what the metrics count (-M)
        d.observe(new io.jsanlock.daemon.metrics.DaemonObserver() {
            @Override
            public void fenced(String action) {
                fenced.add(action);
            }
        });
        d.start();
        Process holder = null;
        try {
            SanlockClient c = new SanlockClient(run);
            Lockspace ls = Lockspace.of("LS", 1, leases.toString(), 0);
            c.addLockspace(ls, 1, false);
            assertEquals(LockspaceState.JOINED, c.inqLockspace(ls, false));

            // the holder: python3-sanlock registers, acquires, ignores SIGTERM (reports it) and sleeps
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-u", "-c", """
                    import sanlock, signal, sys, time
                    def term(sig, frame):
                        print("got SIGTERM", flush=True)
                    signal.signal(signal.SIGTERM, term)
                    fd = sanlock.register()
                    sanlock.acquire(b"LS", b"R", [("%s", %d)], slkfd=fd)
                    print("acquired", flush=True)
                    while True:
                        time.sleep(0.1)
                    """.formatted(leases, MiB)).redirectErrorStream(true);
            pb.environment().put("SANLOCK_RUN_DIR", run.toString());
            holder = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("acquired", out.readLine());
            long pid = holder.pid();
            assertThat(c.status(0)).anyMatch(r -> r.type() == StateType.RESOURCE && r.data32() == pid);

            // storage fails from now on: every I/O errors
            long t0 = System.nanoTime();
            faulty[0].inject((op, off, len) -> true, FaultyStorage.Fault.ERROR, Integer.MAX_VALUE);

            assertEquals("got SIGTERM", out.readLine(), "the holder must get SIGTERM first (grace period)");
            double termAt = (System.nanoTime() - t0) / 1e9;
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "holder not killed");
            double killAt = (System.nanoTime() - t0) / 1e9;
            assertEquals(137, holder.exitValue(), "SIGKILL expected"); // python reports 128 + 9 via the shell convention
            // SIGTERM comes 8N = 8 s after the last successful renewal. That renewal happened at most
            // 2N + 0.5 s before the fault, and the daemon (like sanlock) judges on whole monotonic seconds,
            // which can make the deadline fire up to 1 s early in nanoseconds: so no earlier than
            // 8 - 2.5 - 1 = 4.5 s after the fault. SIGKILL from 8N + G = 10 s.
            assertThat(termAt).isBetween(4.5, 10.0);
            assertThat(killAt - termAt).isBetween(1.0, 4.5);
            await("holder's client gone", Duration.ofMillis(5000), () -> c.status(2).stream()
                    .noneMatch(r -> r.type() == StateType.CLIENT && r.data32() == pid));
            assertThat(new String(log.dump(), StandardCharsets.UTF_8)).contains("sig 15").contains("sig 9");
            assertThat(fenced).as("each signal reported to the daemon's observer").contains("sigterm", "sigkill")
                    .doesNotContain("killpath").startsWith("sigterm");
        } finally {
            if (holder != null) {
                holder.destroyForcibly();
            }
            d.shutdown();
        }
    }
}
