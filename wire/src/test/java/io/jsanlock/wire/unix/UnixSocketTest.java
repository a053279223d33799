package io.jsanlock.wire.unix;

import io.jsanlock.testkit.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UnixSocketTest {

    @Test
    void peerCredentialsNameTheConnectingProcess() throws Exception {
        Path dir = TempDirs.create("jsanlock-unix");
        Path sock = dir.resolve("s.sock");
        try (UnixServerSocket server = UnixServerSocket.bind(sock, 5);
             UnixSocket client = UnixSocket.connect(sock);
             UnixSocket conn = server.accept()) {
            PeerCredentials pc = conn.peerCredentials();
            assertEquals(ProcessHandle.current().pid(), pc.pid());
            assertEquals(0, pc.uid()); // tests run as root here; uid is what the kernel reports
            conn.setPassCred(true);
            client.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(2, conn.readOrEof(2).get(1));
            client.close();
            assertEquals(3, conn.readOrEof(1).get(0));
            assertNull(conn.readOrEof(4)); // clean EOF between messages
        }
    }

    @Test
    void connectErrorsCarryErrno() throws Exception {
        Path dir = TempDirs.create("jsanlock-unix");
        UnixSocketException e = assertThrows(UnixSocketException.class, () -> UnixSocket.connect(dir.resolve("none")));
        assertEquals(2, e.errno());
        Files.createFile(dir.resolve("plain"));
        e = assertThrows(UnixSocketException.class, () -> UnixSocket.connect(dir.resolve("plain")));
        assertEquals(111, e.errno());
    }

    @Test
    void closeWakesAParkedReader() throws Exception {
        Path sock = TempDirs.create("jsanlock-unix").resolve("s.sock");
        try (UnixServerSocket server = UnixServerSocket.bind(sock, 5); UnixSocket client = UnixSocket.connect(sock)) {
            UnixSocket conn = server.accept();
            CompletableFuture<Throwable> f = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    conn.readOrEof(32);
                    f.complete(null);
                } catch (Throwable x) {
                    f.complete(x);
                }
            });
            Thread.sleep(50); // let it park; correctness does not depend on it
            conn.close();
            assertThat(f.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
            t.join();
        }
    }

    /**
     * Many virtual threads parked in reads must not pin the (few) carriers: with blocking
     * native reads this would deadlock, because the threads that would answer them could
     * never run.
     */
    @Test
    void manyParkedReadersDoNotStarveOtherVirtualThreads() throws Exception {
        Path sock = TempDirs.create("jsanlock-unix").resolve("s.sock");
        int n = 300;
        try (UnixServerSocket server = UnixServerSocket.bind(sock, 512);
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<UnixSocket> clients = new ArrayList<>();
            List<UnixSocket> conns = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                clients.add(UnixSocket.connect(sock));
                conns.add(server.accept());
            }
            List<Future<Byte>> reads = new ArrayList<>();
            for (UnixSocket c : clients) {
                reads.add(ex.submit(() -> c.readOrEof(1).get(0)));
            }
            // answers are written from virtual threads too
            for (int i = 0; i < n; i++) {
                UnixSocket c = conns.get(i);
                byte v = (byte) i;
                ex.submit(() -> {
                    c.writeFully(ByteBuffer.wrap(new byte[] {v}));
                    return null;
                });
            }
            for (int i = 0; i < n; i++) {
                assertEquals((byte) i, reads.get(i).get(20, TimeUnit.SECONDS));
            }
            clients.forEach(UnixSocket::close);
            conns.forEach(UnixSocket::close);
        }
    }

    /** trySend never waits: against a peer that stopped reading it reports WOULD_BLOCK, and what was sent reads back whole. */
    @Test
    void trySendReportsAFullPeerInsteadOfWaiting() throws Exception {
        Path sock = TempDirs.create("jsanlock-unix").resolve("s.sock");
        try (UnixServerSocket server = UnixServerSocket.bind(sock, 5); UnixSocket reader = UnixSocket.connect(sock);
             UnixSocket writer = server.accept()) {
            byte[] record = new byte[80];
            int sent = 0;
            UnixSocket.SendResult last = UnixSocket.SendResult.SENT;
            while (last == UnixSocket.SendResult.SENT && sent < 1_000_000) {
                record[0] = (byte) sent;
                last = writer.trySend(ByteBuffer.wrap(record));
                if (last == UnixSocket.SendResult.SENT) {
                    sent++;
                }
            }
            assertThat(last).as("a buffer that fills up is reported, after " + sent + " records")
                    .isNotEqualTo(UnixSocket.SendResult.SENT);
            assertThat(sent).isPositive();
            ByteBuffer first = reader.readOrEof(80);
            assertEquals(0, first.get(0));
            ByteBuffer second = reader.readOrEof(80);
            assertEquals(1, second.get(0));
        }
    }
}
