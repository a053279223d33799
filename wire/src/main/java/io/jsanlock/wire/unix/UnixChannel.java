package io.jsanlock.wire.unix;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.ByteStrings;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A client connection to a unix socket through the JDK's own blocking {@code SocketChannel}.
 *
 * <p>Why a second transport beside {@link UnixSocket}: the FFM socket costs every JVM that
 * uses it the linking of its native calls (downcall stubs and method-handle forms spun at
 * run time, ~0.2 s of CPU on this machine kind, which no class-data cache removes) plus a
 * poller thread; and a platform thread parked in {@code epoll_wait} makes the JVM's exit
 * wait ~0.3 s for it. A command like {@code jsanlock client status} needs none of that:
 * it connects, sends one request and reads the reply, which the JDK's channel does with
 * classes the AOT cache already holds. Virtual threads are not pinned: the JDK's blocking
 * channel I/O parks them.
 *
 * <p>What it cannot do is what needs the descriptor: SO_PEERCRED (the daemon), keeping the
 * connection open across {@code execv} (a registration for {@code client command}), a
 * read with a deadline (event channels); those use {@link UnixSocket}.
 */
public final class UnixChannel implements UnixStream {
    private static final int ECONNREFUSED = 111;
    private static final int EPIPE = 32;
    /** sanlock formats the socket path into sun_path and cuts it to 106 bytes (wire.md 1.1). */
    private static final int MAX_PATH_BYTES = 106;

    private final SocketChannel channel;

    private UnixChannel(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects to the socket at the exact bytes {@code path}: through the JDK's channel when
     * a {@link Path} names exactly those bytes ({@link #exactPath}), else through FFM.
     * Errors are {@link UnixSocketException}s with the errno sanlock's client returns
     * negated (-2, -111, -13 ...): the JDK reports a refused connection as
     * {@link ConnectException} (ECONNREFUSED, the usual "socket file left, daemon gone"
     * case); any other failure it reports without its errno, which is then learnt by
     * repeating the connect through FFM (a failure path: its cost does not matter), and
     * if that one succeeds (the daemon just came up) its socket is used.
     */
    public static UnixStream connect(byte[] path) throws IOException {
        Path p = exactPath(path, ByteStrings.platformCharset());
        if (p == null) {
            return UnixSocket.connect(path, 0);
        }
        SocketChannel ch = SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        try {
            // Blocking connect: with a full listen backlog the kernel waits, as libsanlock's does.
            ch.connect(UnixDomainSocketAddress.of(p));
            return new UnixChannel(ch);
        } catch (ConnectException e) {
            ch.close();
            throw new UnixSocketException("connect to " + p + " failed", ECONNREFUSED);
        } catch (IOException e) {
            ch.close();
            return UnixSocket.connect(path, 0);
        }
    }

    /**
     * The Path whose bytes, as the JDK passes them to connect(2), are exactly {@code path};
     * null when there is none. A Path is text encoded with {@code sun.jnu.encoding}, so bytes
     * that do not decode and re-encode to themselves in that charset (non-UTF-8 bytes in a
     * UTF-8 locale, anything non-ASCII in the C locale) have none. Neither has
     * a path longer than sanlock's sun_path (which the FFM socket cuts as sanlock does) or
     * one holding a NUL.
     */
    static @Nullable Path exactPath(byte[] path, Charset jnu) {
        if (path.length == 0 || path.length > MAX_PATH_BYTES) {
            return null;
        }
        for (byte b : path) {
            if (b == 0) {
                return null;
            }
        }
        String s = new String(path, jnu);
        if (!Arrays.equals(s.getBytes(jnu), path)) {
            return null;
        }
        try {
            // Path.of drops repeated slashes ("RUN_DIR/" + "/sanlock.sock"), which name the
            // same file; anything else it changed would be another file.
            Path p = Path.of(s);
            return p.toString().equals(s.replaceAll("/{2,}", "/")) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    @Override
    public void writeFully(ByteBuffer buf) throws IOException {
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            // A send on a connected AF_UNIX stream socket fails only when the peer is gone
            // (EPIPE; the JVM ignores SIGPIPE); the JDK does not say which errno it got.
            throw new UnixSocketException("send failed: " + e.getMessage(), EPIPE);
        }
    }

    /**
     * Reads exactly {@code n} bytes, or null at end of stream before the first of them; the
     * end of the stream in the middle is an {@link EOFException}. A connection reset reads
     * as the end of the stream, as on the FFM socket.
     */
    @Override
    public @Nullable ByteBuffer readOrEof(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int r;
            try {
                r = channel.read(b);
            } catch (ClosedChannelException e) {
                throw e;
            } catch (SocketException e) {
                // The JDK's only SocketException from a read is ECONNRESET (its
                // ConnectionResetException): the daemon closed with our request unread.
                r = -1;
            }
            if (r < 0) {
                if (b.position() == 0) {
                    return null;
                }
                throw new EOFException("connection ended after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.flip();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a unix socket cannot fail in a way that matters to the caller
        }
    }

    @Override
    public String toString() {
        return "UnixChannel[" + (isOpen() ? "open" : "closed") + "]";
    }
}
