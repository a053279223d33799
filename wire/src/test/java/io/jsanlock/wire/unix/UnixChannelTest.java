package io.jsanlock.wire.unix;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.posix.Sockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The SocketChannel transport of one-request client connections, and when it gives way to the FFM socket. */
class UnixChannelTest {
    private final Path dir;

    UnixChannelTest() throws IOException {
        dir = TempDirs.create("jsanlock-channel");
    }

    @AfterEach
    void removeDir() throws IOException {
        // The listing's Paths carry the names' raw bytes, so even a non-UTF-8 name is removed.
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aPathNamesTheBytesOnlyWhenTheyAreTextInTheJdksCharsetAndFitSunPath() {
        assertEquals(Path.of("/run/sanlock/sanlock.sock"), UnixChannel.exactPath(bytes("/run/sanlock/sanlock.sock"), StandardCharsets.US_ASCII));
        byte[] utf8 = "/tmp/\u00e9/sanlock.sock".getBytes(StandardCharsets.UTF_8);
        assertEquals(Path.of("/tmp/\u00e9/sanlock.sock"), UnixChannel.exactPath(utf8, StandardCharsets.UTF_8));
        // The same bytes under LANG=C (the JDK's ASCII charset) have no Path: the FFM socket takes them.
        assertNull(UnixChannel.exactPath(utf8, StandardCharsets.US_ASCII));
        // Not UTF-8 at all: no Path in a UTF-8 locale either.
        assertNull(UnixChannel.exactPath(bytes("/tmp/\u00ff/sanlock.sock"), StandardCharsets.UTF_8));
        // An empty SANLOCK_RUN_DIR and a trailing slash on it name the same socket as libsanlock's "%s/%s".
        assertEquals(Path.of("/sanlock.sock"), UnixChannel.exactPath(bytes("/sanlock.sock"), StandardCharsets.UTF_8));
        assertEquals(Path.of("/tmp/x/sanlock.sock"), UnixChannel.exactPath(bytes("/tmp/x//sanlock.sock"), StandardCharsets.UTF_8));
        assertEquals(Path.of("rel/sanlock.sock"), UnixChannel.exactPath(bytes("rel/sanlock.sock"), StandardCharsets.UTF_8));
        // Longer than sanlock's 106-byte sun_path (cut by the FFM socket as sanlock cuts it), or with a NUL: none.
        assertThat(UnixChannel.exactPath(bytes("/" + "d".repeat(105)), StandardCharsets.UTF_8)).isNotNull();
        assertNull(UnixChannel.exactPath(bytes("/" + "d".repeat(106)), StandardCharsets.UTF_8));
        assertNull(UnixChannel.exactPath(bytes("/tmp/a\0b"), StandardCharsets.UTF_8));
        assertNull(UnixChannel.exactPath(new byte[0], StandardCharsets.UTF_8));
    }

    @Test
    void requestAndReplyOverTheChannel() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            try (UnixStream client = UnixChannel.connect(bytes(sock.toString()));
                 SocketChannel conn = server.accept()) {
                assertThat(client).isInstanceOf(UnixChannel.class);
                client.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                ByteBuffer got = ByteBuffer.allocate(3);
                while (got.hasRemaining()) {
                    conn.read(got);
                }
                assertArrayEquals(new byte[] {1, 2, 3}, got.array());
                conn.write(ByteBuffer.wrap(new byte[] {4, 0, 0, 0, 5}));
                ByteBuffer reply = client.readOrEof(4);
                assertEquals(4, reply.getInt()); // little-endian, as the wire decoders expect
                conn.shutdownOutput();
                // One byte of a 2-byte piece, then the end: cut mid-message.
                assertThrows(EOFException.class, () -> client.readOrEof(2));
                assertNull(client.readOrEof(1)); // nothing more: a clean end between messages
                client.close();
                assertThat(client.isOpen()).isFalse();
                assertThrows(ClosedChannelException.class, () -> client.readOrEof(1));
            }
        }
    }

    @Test
    void aResetConnectionReadsAsTheEndAndASendToAClosedPeerIsEpipe() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            try (UnixStream client = UnixChannel.connect(bytes(sock.toString()))) {
                client.writeFully(ByteBuffer.wrap(new byte[] {1}));
                server.accept().close(); // closed with our byte unread: the kernel resets the connection
                assertNull(client.readOrEof(1), "a reset reads as the end, as on the FFM socket");
                UnixSocketException e = assertThrows(UnixSocketException.class,
                        () -> client.writeFully(ByteBuffer.wrap(new byte[] {2})));
                assertEquals(32, e.errno());
            }
        }
    }

    @Test
    void connectErrorsCarryTheErrnoSanlockReturns() throws Exception {
        UnixSocketException e = assertThrows(UnixSocketException.class, () -> UnixChannel.connect(bytes(dir + "/none")));
        assertEquals(2, e.errno());
        Files.createFile(dir.resolve("plain"));
        e = assertThrows(UnixSocketException.class, () -> UnixChannel.connect(bytes(dir + "/plain")));
        assertEquals(111, e.errno());
        e = assertThrows(UnixSocketException.class, () -> UnixChannel.connect(bytes(dir + "/plain/sanlock.sock")));
        assertEquals(20, e.errno()); // ENOTDIR, learnt from the FFM connect the JDK's exception lacks
        Path stale = dir.resolve("stale.sock");
        ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        gone.bind(UnixDomainSocketAddress.of(stale));
        gone.close(); // the socket file stays, nobody listens: a stopped daemon
        e = assertThrows(UnixSocketException.class, () -> UnixChannel.connect(bytes(stale.toString())));
        assertEquals(111, e.errno());
    }

    @Test
    void bytesNoPathCanNameAreReachedThroughTheFfmSocket() throws Exception {
        // A socket file whose name is not UTF-8 (nor ASCII): bound through FFM at the exact bytes.
        byte[] path = bytes(dir + "/s\u00ff.sock");
        int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        try {
            assertEquals(0, Sockets.bind(fd, path));
            assertEquals(0, Sockets.listen(fd, 5));
            try (UnixStream client = UnixChannel.connect(path)) {
                int c = Sockets.accept4(fd, Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC);
                assertThat(c).isGreaterThanOrEqualTo(0);
                try (UnixSocket conn = new UnixSocket(c)) {
                    assertThat(client).isInstanceOf(UnixSocket.class);
                    client.writeFully(ByteBuffer.wrap(new byte[] {7}));
                    assertEquals(7, conn.readOrEof(1).get(0));
                }
            }
        } finally {
            Sockets.close(fd);
        }
    }
}
