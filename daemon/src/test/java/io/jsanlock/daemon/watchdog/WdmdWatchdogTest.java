package io.jsanlock.daemon.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.Reference;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wdmd client against a stand-in wdmd that records what it is sent: the message bytes
 * as sanlock 3.8.5 sends them, the arm sequence (REGISTER, REFCOUNT_SET, STATUS, TEST_LIVE),
 * renewals on the same connection, the disarm sequence (TEST_LIVE 0 0, REFCOUNT_CLEAR,
 * close), and a wdmd whose fire timeout is not 60 refused; and the reference daemon's own
 * messages to the same stand-in, obtained in the run and compared byte for byte with ours.
 * The real wdmd is exercised in dist's {@code WdmdInteropTest}.
 */
@Isolated // nothing beside it (junit-platform.properties): the reference daemon with its watchdog on (-w 1) must not miss a renewal to another test's load
class WdmdWatchdogTest {
    @TempDir
    Path tmp;

    private FakeWdmd wdmd;

    @AfterEach
    void stop() throws IOException {
        if (wdmd != null) {
            wdmd.close();
        }
    }

    /**
     * Bytes captured (strace) from sanlock 3.8.5 registering lockspace LS host 1, and a TEST_LIVE it sent.
     * {@link #theReferenceDaemonSendsWdmdTheSameBytesAsOurs} obtains them again from the reference in
     * every run (and this REGISTER's bytes are what it compares with); the STATUS reply below is wdmd's,
     * which the reference accepts there as this encoder writes it.
     */
    @Test
    void messagesAreByteForByteTheReferences() {
        byte[] register = new byte[WdmdMessage.SIZE];
        register[4] = 1;
        byte[] name = "sanlock_LS:1".getBytes();
        System.arraycopy(name, 0, register, 48, name.length);
        assertThat(bytes(WdmdMessage.register("sanlock_LS:1").encode())).isEqualTo(register);

        byte[] testLive = new byte[WdmdMessage.SIZE];
        testLive[4] = 4;
        System.arraycopy(HexFormat.of().parseHex("fd02000000000000" + "0503000000000000"), 0, testLive, 32, 16);
        assertThat(bytes(WdmdMessage.testLive(0x2fd, 0x305).encode())).isEqualTo(testLive);

        byte[] statusReply = new byte[WdmdMessage.SIZE];
        statusReply[4] = 5;
        System.arraycopy(HexFormat.of().parseHex("0a000000" + "3c000000" + "0f03000000000000"), 0, statusReply, 16, 16);
        WdmdMessage st = WdmdMessage.decode(ByteBuffer.wrap(statusReply));
        assertThat(st.cmd()).isEqualTo(WdmdMessage.CMD_STATUS);
        assertThat(st.testInterval()).isEqualTo(10);
        assertThat(st.fireTimeout()).isEqualTo(60);
        assertThat(st.lastKeepalive()).isEqualTo(0x30f);
        assertThat(WdmdMessage.decode(WdmdMessage.register("sanlock_LS:1").encode()).name()).isEqualTo("sanlock_LS:1");
    }

    @Test
    void armsRenewsAndDisarmsOneConnectionPerLockspace() throws Exception {
        wdmd = new FakeWdmd(tmp.resolve("wdmd.sock"), 60);
        List<String> log = new CopyOnWriteArrayList<>();
        WdmdWatchdog wd = new WdmdWatchdog(wdmd.path, log::add);
        assertThat(wd.available()).isTrue();
        assertThat(wdmd.next().msg.cmd()).as("the probe asks STATUS").isEqualTo(WdmdMessage.CMD_STATUS);
        assertThat(wdmd.next().eof).as("and closes, unregistered").isTrue();

        wd.testLive("sanlock_A:1", 100, 108);
        Event reg = wdmd.next();
        assertThat(reg.msg.cmd()).isEqualTo(WdmdMessage.CMD_REGISTER);
        assertThat(reg.msg.name()).isEqualTo("sanlock_A:1");
        assertThat(wdmd.next().msg.cmd()).isEqualTo(WdmdMessage.CMD_REFCOUNT_SET);
        assertThat(wdmd.next().msg.cmd()).isEqualTo(WdmdMessage.CMD_STATUS);
        Event live = wdmd.next();
        assertThat(live.msg.cmd()).isEqualTo(WdmdMessage.CMD_TEST_LIVE);
        assertThat(live.msg.renewal()).isEqualTo(100);
        assertThat(live.msg.expire()).isEqualTo(108);

        wd.testLive("sanlock_B:2", 101, 181);
        Event regB = wdmd.next();
        assertThat(regB.conn).as("a second lockspace, a second connection").isNotEqualTo(reg.conn);
        assertThat(regB.msg.name()).isEqualTo("sanlock_B:2");
        wdmd.next();
        wdmd.next();
        assertThat(wdmd.next().msg.expire()).isEqualTo(181);

        wd.testLive("sanlock_A:1", 102, 110);
        Event renew = wdmd.next();
        assertThat(renew.conn).as("renewals go on the lockspace's connection").isEqualTo(reg.conn);
        assertThat(renew.msg.cmd()).isEqualTo(WdmdMessage.CMD_TEST_LIVE);
        assertThat(renew.msg.renewal()).isEqualTo(102);
        assertThat(renew.msg.expire()).isEqualTo(110);

        wd.testLive("sanlock_A:1", 0, 0);
        Event disarm = wdmd.next();
        assertThat(disarm.conn).isEqualTo(reg.conn);
        assertThat(disarm.msg.cmd()).isEqualTo(WdmdMessage.CMD_TEST_LIVE);
        assertThat(disarm.msg.renewal()).isZero();
        assertThat(disarm.msg.expire()).isZero();
        assertThat(wdmd.next().msg.cmd()).isEqualTo(WdmdMessage.CMD_REFCOUNT_CLEAR);
        Event closed = wdmd.next();
        assertThat(closed.eof).isTrue();
        assertThat(closed.conn).isEqualTo(reg.conn);
        assertThat(log).anyMatch(l -> l.equals("wdmd sanlock_A:1 disarmed"));

        wd.close();
        assertThat(wdmd.events.poll(300, TimeUnit.MILLISECONDS))
                .as("B, still armed, is left for the process exit to close uncleanly").isNull();
        assertThat(log).anyMatch(l -> l.contains("[sanlock_B:2] still armed at exit"));
    }

    @Test
    void aWdmdWhoseFireTimeoutIsNot60IsRefused() throws Exception {
        wdmd = new FakeWdmd(tmp.resolve("wdmd.sock"), 30);
        List<String> log = new CopyOnWriteArrayList<>();
        WdmdWatchdog wd = new WdmdWatchdog(wdmd.path, log::add);
        assertThat(wd.available()).isFalse();
        assertThat(log).anyMatch(l -> l.contains("fire_timeout 30 is not 60"));
        wdmd.next();
        wdmd.next();

        wd.testLive("sanlock_A:1", 100, 108);
        assertThat(wdmd.next().msg.cmd()).isEqualTo(WdmdMessage.CMD_REGISTER);
        assertThat(wdmd.next().msg.cmd()).isEqualTo(WdmdMessage.CMD_REFCOUNT_SET);
        assertThat(wdmd.next().msg.cmd()).isEqualTo(WdmdMessage.CMD_STATUS);
        assertThat(wdmd.next().msg.cmd()).as("refcount cleared again: no reset for a refused arm").isEqualTo(WdmdMessage.CMD_REFCOUNT_CLEAR);
        assertThat(wdmd.next().eof).as("never armed with TEST_LIVE").isTrue();
    }

    @Test
    void noWdmdIsNotAvailable() {
        List<String> log = new CopyOnWriteArrayList<>();
        WdmdWatchdog wd = new WdmdWatchdog(tmp.resolve("absent.sock"), log::add);
        assertThat(WdmdWatchdog.running(wd.socket())).isFalse();
        assertThat(wd.available()).isFalse();
        assertThat(log).anyMatch(l -> l.startsWith("wdmd connect " + wd.socket() + " failed"));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /**
     * The wdmd messages of sanlock 3.8.5 itself, in this run: its daemon ({@code -w 1}) runs in a
     * private mount namespace in which /run/wdmd — the path it has built in — is this test's
     * directory, so it talks to the stand-in wdmd (the host's own /run/wdmd is untouched). It
     * joins lockspace LS as host 1 and leaves it: REGISTER, REFCOUNT_SET, STATUS, TEST_LIVE, the
     * renewals' TEST_LIVEs, then TEST_LIVE 0 0, REFCOUNT_CLEAR and close. jsanlock's
     * {@link WdmdWatchdog} then arms with the reference's own renewal and expiry and disarms, on
     * the same stand-in: every message byte for byte the reference's. The join succeeding also
     * shows the reference reads the STATUS reply as this encoder writes it (fire_timeout 60; the
     * reference refuses any other value with -203).
     */
    @Test
    void theReferenceDaemonSendsWdmdTheSameBytesAsOurs() throws Exception {
        Reference.require();
        Path wdmdDir = Files.createDirectories(tmp.resolve("wdmd"));
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path leases = tmp.resolve("leases");
        Reference.initLeaseFile(leases, "LS");
        wdmd = new FakeWdmd(wdmdDir.resolve("wdmd.sock"), 60);
        String ls = "LS:1:" + leases + ":0";

        List<Event> reference = new ArrayList<>();
        Process daemon = referenceDaemonWithWdmdIn(wdmdDir, run);
        try {
            Await.await("the reference daemon answers", Duration.ofSeconds(30),
                    () -> Reference.run(run, "client", "status").exit() == 0 || !daemon.isAlive());
            assertThat(daemon.isAlive()).as("reference daemon running: " + Files.readString(run.resolve("daemon.log"))).isTrue();
            Reference.check(run, "client", "add_lockspace", "-o", "1", "-s", ls);
            for (int i = 0; i < 4; i++) {
                reference.add(wdmd.next());
            }
            Reference.check(run, "client", "rem_lockspace", "-s", ls);
            Event e;
            do {
                e = wdmd.next();
                reference.add(e);
            } while (!e.eof);
        } finally {
            daemon.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly();
            assertThat(daemon.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(reference).as("one connection").allMatch(ev -> ev.conn == reference.getFirst().conn);
        WdmdMessage armedWith = reference.get(3).msg;
        assertThat(reference.subList(0, 4)).extracting(ev -> ev.msg.cmd()).containsExactly(WdmdMessage.CMD_REGISTER,
                WdmdMessage.CMD_REFCOUNT_SET, WdmdMessage.CMD_STATUS, WdmdMessage.CMD_TEST_LIVE);
        assertThat(armedWith.expire() - armedWith.renewal()).as("expiry 8N after the renewal (io_timeout 1)").isEqualTo(8);
        assertThat(reference.get(0).raw).as("the REGISTER of the test above").isEqualTo(bytes(WdmdMessage.register("sanlock_LS:1").encode()));

        WdmdWatchdog ours = new WdmdWatchdog(wdmd.path, l -> { });
        ours.testLive("sanlock_LS:1", armedWith.renewal(), armedWith.expire());
        for (int i = 0; i < 4; i++) {
            assertThat(wdmd.next().raw).as("arming, message " + i).isEqualTo(reference.get(i).raw);
        }
        ours.testLive("sanlock_LS:1", 0, 0);
        List<Event> refDisarm = reference.subList(reference.size() - 3, reference.size());
        for (int i = 0; i < 3; i++) {
            Event e = wdmd.next();
            assertThat(e.eof).as("disarming, step " + i).isEqualTo(refDisarm.get(i).eof);
            assertThat(e.raw).as("disarming, message " + i).isEqualTo(refDisarm.get(i).raw);
        }
        ours.close();
    }

    /** sanlock 3.8.5's daemon with the watchdog on, in a mount namespace whose /run/wdmd is {@code wdmdDir}. */
    private static Process referenceDaemonWithWdmdIn(Path wdmdDir, Path run) throws IOException {
        String shim = System.getenv().getOrDefault("SANLOCK_PEER_SHIM", "/usr/local/lib/sanlock-peer/rlimit-shim.so");
        ProcessBuilder pb = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mkdir -p /run/wdmd && mount --bind \"$1\" /run/wdmd && exec \"$2\" daemon -D -w 1 -l 0 -h 0 -U root -G root -e hostW",
                "sh", wdmdDir.toString(), Reference.SANLOCK.toString())
                .redirectErrorStream(true).redirectOutput(run.resolve("daemon.log").toFile());
        pb.environment().put("SANLOCK_RUN_DIR", run.toString());
        pb.environment().put("LD_PRELOAD", shim);
        return pb.start();
    }

    private record Event(int conn, WdmdMessage msg, boolean eof, byte[] raw) {}

    /** Records each connection's messages in order; answers STATUS with the configured fire timeout. */
    private static final class FakeWdmd implements AutoCloseable {
        final Path path;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final ServerSocketChannel server;
        private final AtomicInteger ids = new AtomicInteger();

        FakeWdmd(Path path, int fireTimeout) throws IOException {
            this.path = path;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Thread.ofVirtual().start(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel ch = server.accept();
                        int id = ids.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(id, ch, fireTimeout));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(int id, SocketChannel ch, int fireTimeout) {
            try (ch) {
                while (true) {
                    ByteBuffer in = ByteBuffer.allocate(WdmdMessage.SIZE);
                    while (in.hasRemaining()) {
                        if (ch.read(in) < 0) {
                            events.add(new Event(id, null, true, null));
                            return;
                        }
                    }
                    WdmdMessage m = WdmdMessage.decode(in.flip());
                    events.add(new Event(id, m, false, bytes(in)));
                    if (m.cmd() == WdmdMessage.CMD_STATUS) {
                        ByteBuffer out = new WdmdMessage(WdmdMessage.CMD_STATUS, 10, fireTimeout, 777, 0, 0, "").encode();
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                    }
                }
            } catch (IOException e) {
                events.add(new Event(id, null, true, null));
            }
        }

        Event next() throws InterruptedException {
            Event e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("a message reached the stand-in wdmd").isNotNull();
            return e;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
