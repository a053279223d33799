package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.testkit.Seeds;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;
import io.jsanlock.wire.unix.UnixSocket;
import java.time.Duration;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * At least 100,000 random and mutated messages against a running daemon: afterwards it
 * still serves a normal client, every connection is gone, and its file-descriptor and
 * platform-thread counts are back where they started. Seeded; the seed is printed.
 */
@Timeout(120)
@Isolated // nothing beside it (junit-platform.properties): it loads both cores
class DaemonFuzzTest {

    static long fdCount() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * Live threads except the JDK's own virtual-thread carriers and helpers, which the
     * scheduler starts lazily and keeps; virtual threads of the daemon (one per
     * connection) are counted through the daemon's connection count instead.
     */
    static long daemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("ForkJoinPool") && !t.getName().startsWith("VirtualThread")
                        && !t.getName().startsWith("process reaper"))
                .count();
    }

    static List<byte[]> templates() throws Exception {
        Resource r = Resource.of("LS", "R", "/mem/f", 1048576);
        Lockspace ls = Lockspace.of("LS", 1, "/mem/LS", 0);
        List<ByteBuffer> m = List.of(
                Requests.headerOnly(Command.REGISTER, 0, 0, 0),
                Requests.headerOnly(Command.VERSION, 0, 0, 0),
                Requests.headerOnly(Command.INQUIRE, 0, 0, -1),
                Requests.headerOnly(Command.STATUS, 0, 0, 0),
                Requests.headerOnly(Command.RESTRICT, 0, 0, -1),
                Requests.acquire(-1, 0, List.of(r, r.withFlags(4)), Options.owner("fuzz")),
                Requests.release(-1, 0, List.of(r)),
                Requests.convert(-1, 0, r),
                Requests.killpath(1, "/bin/true", "a b"),
                Requests.addLockspace(ls, 1, 1),
                Requests.lockspaceCommand(Command.INQ_LOCKSPACE, 0, 0, 0, ls),
                Requests.lockspaceCommand(Command.REM_LOCKSPACE, 1, 0, 0, ls),
                Requests.lockspaceCommand(Command.GET_HOSTS, 0, 0, 0, ls),
                Requests.hostStatusLike(Command.HOST_STATUS, ls),
                Requests.hostStatusLike(Command.RENEWAL, ls),
                Requests.resourceWithDisks(Command.REQUEST, 1, 2, 0, r),
                Requests.resourceWithDisks(Command.READ_RESOURCE, 0, 0, 0, r),
                Requests.resourceHead(Command.GET_LVB, 0, 0, 0, r),
                Requests.setLvb(r, new byte[9]),
                Requests.align(new Disk("/mem/f", 0)),
                Requests.lockspaceEvent(Command.SET_EVENT, 8, ls, new HostEvent(2, 0, 7, 9)),
                Requests.lockspaceCommand(Command.SET_CONFIG, 0, 1, 0, ls),
                Requests.rindexEntry(Command.LOOKUP_RINDEX, 0, 0, 0, new ResourceIndex(0, 0, "LS", new Disk("/mem/x", 0)),
                        ResourceEntry.EMPTY),
                Requests.headerOnly(Command.LOG_DUMP, 0, 0, 0));
        List<byte[]> out = new ArrayList<>();
        for (ByteBuffer b : m) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            out.add(a);
        }
        return out;
    }

    static byte[] message(Random rnd, List<byte[]> templates) {
        byte[] m;
        switch (rnd.nextInt(4)) {
            case 0 -> {
                m = new byte[rnd.nextInt(200)];
                rnd.nextBytes(m);
            }
            case 1 -> {
                // a valid header with random fields and a random body
                m = new byte[32 + rnd.nextInt(300)];
                rnd.nextBytes(m);
                ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(0, Header.MAGIC);
                b.putInt(4, rnd.nextBoolean() ? 1 : rnd.nextInt());
                b.putInt(8, rnd.nextInt(45));
            }
            default -> {
                m = templates.get(rnd.nextInt(templates.size())).clone();
                for (int k = rnd.nextInt(6); k > 0; k--) {
                    m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                }
                if (rnd.nextInt(3) == 0) {
                    m = java.util.Arrays.copyOf(m, 1 + rnd.nextInt(m.length));
                }
            }
        }
        if (m.length >= 12) {
            ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            int cmd = b.getInt(8);
            if (cmd == Command.SHUTDOWN.number() || cmd == Command.SHUTDOWN_WAIT.number()) {
                b.putInt(8, Command.VERSION.number()); // the fuzzer must not stop the daemon it tests
            }
        }
        return m;
    }

    @Test
    void hundredThousandHostileMessages() throws Exception {
        long seed = Seeds.seed(DaemonFuzzTest.class);
        Path runDir = TempDirs.create("jsanlock-fuzz").resolve("run");
        InMemoryBackend backend = new InMemoryBackend();
        DaemonOptions o = DaemonOptions.parse("-D", "-e", "fuzz").withRunDir(runDir);
        Daemon d = new Daemon(o, backend, new DaemonLog(MonotonicClock.SYSTEM, null, 7), MonotonicClock.SYSTEM);
        d.start();
        SanlockClient client = new SanlockClient(runDir);
        try {
            assertEquals("3.8.5", client.version().text());
            await("idle", Duration.ofMillis(2000), () -> d.connectionCount() == 0);
            long fds0 = fdCount();
            long threads0 = daemonThreads();
            List<byte[]> templates = templates();
            AtomicLong sent = new AtomicLong();
            int workers = 4;
            List<Thread> ts = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Random rnd = new Random(seed + w);
                ts.add(Thread.ofVirtual().start(() -> {
                    while (sent.get() < 100_000) {
                        try (UnixSocket s = UnixSocket.connect(runDir.resolve("sanlock.sock"))) {
                            // drain replies so the daemon never blocks writing to us
                            Thread reader = Thread.ofVirtual().start(() -> {
                                byte[] b = new byte[4096];
                                try {
                                    while (s.readSome(b, 0, b.length, 0) >= 0) {
                                        // discard
                                    }
                                } catch (IOException e) {
                                    // closed
                                }
                            });
                            // few enough bytes per connection never to fill a socket buffer the daemon stopped reading
                            for (int i = 0; i < 40; i++) {
                                s.writeFully(ByteBuffer.wrap(message(rnd, templates)));
                                sent.incrementAndGet();
                            }
                            s.shutdown();
                            reader.join(5000);
                        } catch (IOException e) {
                            // the daemon closed this connection (inline command): next one
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            assertThat(sent.get()).isGreaterThanOrEqualTo(100_000);
            // still serving a normal client
            try (Registration reg = client.register()) {
                assertEquals(0, reg.inquire().count());
            }
            assertEquals("3.8.5", client.version().text());
            await("all fuzz connections closed", Duration.ofMillis(20_000), () -> d.connectionCount() == 0);
            // At most as many as before: the process-wide count can also drop while this runs,
            // when the GC's cleaner closes a descriptor an earlier test class left unreachable.
            await("fds back to " + fds0 + " or fewer", Duration.ofMillis(10_000), () -> fdCount() <= fds0);
            await("threads back", Duration.ofMillis(10_000), () -> daemonThreads() <= threads0);
            assertThat(d.eventChannels.values().stream().mapToInt(List::size).sum()).isZero();
        } finally {
            d.shutdown();
        }
    }
}
