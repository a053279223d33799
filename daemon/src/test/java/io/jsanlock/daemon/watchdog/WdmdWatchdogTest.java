package io.jsanlock.daemon.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wdmd client against a stand-in wdmd that records what it is sent: the message bytes
 * as sanlock 3.8.5 sends them, the arm sequence (REGISTER, REFCOUNT_SET, STATUS, TEST_LIVE),
 * renewals on the same connection, the disarm sequence (TEST_LIVE 0 0, REFCOUNT_CLEAR,
 * close), and a wdmd whose fire timeout is not 60 refused. The real wdmd is exercised in
 * dist's {@code WdmdInteropTest}.
 */
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

    /** Bytes captured (strace) from sanlock 3.8.5 registering lockspace LS host 1, and a TEST_LIVE it sent. */
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

    private record Event(int conn, WdmdMessage msg, boolean eof) {}

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
                            events.add(new Event(id, null, true));
                            return;
                        }
                    }
                    WdmdMessage m = WdmdMessage.decode(in.flip());
                    events.add(new Event(id, m, false));
                    if (m.cmd() == WdmdMessage.CMD_STATUS) {
                        ByteBuffer out = new WdmdMessage(WdmdMessage.CMD_STATUS, 10, fireTimeout, 777, 0, 0, "").encode();
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                    }
                }
            } catch (IOException e) {
                events.add(new Event(id, null, true));
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
