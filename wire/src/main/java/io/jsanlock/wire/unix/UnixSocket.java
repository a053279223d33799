package io.jsanlock.wire.unix;

import org.jspecify.annotations.Nullable;

import io.jsanlock.posix.Errno;
import io.jsanlock.posix.Sockets;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A connected AF_UNIX stream socket driven through FFM, used by both the client library
 * and the daemon.
 *
 * <p>Why not the JDK's {@code SocketChannel} with {@code UnixDomainSocketAddress}: the
 * daemon must learn a client's pid with {@code getsockopt(SO_PEERCRED)}, which needs the
 * socket's file descriptor, and the JDK exposes neither the fd (only through
 * {@code sun.nio.ch} internals, i.e. reflection and {@code --add-opens}) nor the pid
 * (its SO_PEERCRED option returns user and group only). Creating the socket ourselves
 * ({@code socket/connect/accept4}) gives us the fd by construction, with no reflection
 * and no internal API; the cost is that we do our own readiness waiting ({@link Poller})
 * so virtual threads are never pinned in a blocking native call. Owning the fd also lets
 * a client keep its registered connection open across {@code execv} (the
 * {@code client command} case) via {@link #setInheritable}.
 *
 * <p>All fds are non-blocking and close-on-exec. The fd is closed only when no call is
 * using it, so a concurrent {@link #close} can never make a pending call act on a
 * reused fd number.
 */
public final class UnixSocket implements UnixStream {
    private final int fd;
    private final Object lock = new Object();
    private int uses;
    private boolean closed;
    private boolean fdClosed;
    private volatile long readTimeoutNanos;

    UnixSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Connects to the socket at {@code path} (cut to 107 bytes as sun_path allows). The
     * reference's listen backlog is 5, so a full backlog (EAGAIN) is retried for up to
     * {@code timeoutMillis} (0 = wait indefinitely), as a blocking connect would wait.
     */
    public static UnixSocket connect(Path path, long timeoutMillis) throws IOException {
        return connect(path.toString().getBytes(StandardCharsets.UTF_8), timeoutMillis);
    }

    /** As {@link #connect(Path, long)}, to the exact bytes of a path (a Linux path is bytes, not text). */
    public static UnixSocket connect(byte[] p, long timeoutMillis) throws IOException {
        String path = new String(p, StandardCharsets.ISO_8859_1);
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        long backoff = 1;
        while (true) {
            int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new UnixSocketException("socket(AF_UNIX) failed", -fd);
            }
            int r = Sockets.connect(fd, p);
            if (r == 0) {
                return new UnixSocket(fd);
            }
            Sockets.close(fd);
            if (r != -Errno.EAGAIN || (deadline != 0 && System.nanoTime() > deadline)) {
                throw new UnixSocketException("connect to " + path + " failed", -r);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while connecting to " + path);
            }
            backoff = Math.min(backoff * 2, 50);
        }
    }

    public static UnixSocket connect(Path path) throws IOException {
        return connect(path, 0);
    }

    /** The file descriptor (valid until {@link #close}). */
    public int fd() {
        return fd;
    }

    /** Read timeout for {@link #readOrEof}; 0 (default) waits forever. */
    public void setReadTimeoutMillis(long millis) {
        readTimeoutNanos = millis * 1_000_000L;
    }

    private void begin() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            uses++;
        }
    }

    private void end() {
        synchronized (lock) {
            uses--;
            maybeCloseFd();
        }
    }

    private void maybeCloseFd() {
        if (closed && uses == 0 && !fdClosed) {
            fdClosed = true;
            Sockets.close(fd);
        }
    }

    /** Writes all of {@code buf}, waiting for buffer space as needed. EPIPE etc. become UnixSocketException. */
    @Override
    public void writeFully(ByteBuffer buf) throws IOException {
        begin();
        try (Arena a = Arena.ofConfined()) {
            int n = buf.remaining();
            MemorySegment seg = a.allocate(Math.max(n, 1));
            MemorySegment.copy(MemorySegment.ofBuffer(buf), 0, seg, 0, n);
            long off = 0;
            while (off < n) {
                long r = Sockets.send(fd, seg.asSlice(off), n - off, Sockets.MSG_NOSIGNAL);
                if (r >= 0) {
                    off += r;
                } else if (r == -Errno.EAGAIN) {
                    checkOpen();
                    Poller.get().await(fd, true, 0, this::isClosed);
                    checkOpen();
                } else if (r != -Errno.EINTR) {
                    throw new UnixSocketException("send failed", (int) -r);
                }
            }
            buf.position(buf.position() + n);
        } finally {
            end();
        }
    }

    /** What one non-blocking {@link #trySend} did. */
    public enum SendResult { SENT, WOULD_BLOCK, PARTIAL }

    /**
     * One non-blocking send of all of {@code buf} (MSG_DONTWAIT): SENT; WOULD_BLOCK when
     * the peer's buffer is full and nothing was written; PARTIAL when only part fit (the
     * stream is then cut mid-record, so callers close the socket). Never waits: for
     * writers that must not be held up by a peer that stopped reading.
     */
    public SendResult trySend(ByteBuffer buf) throws IOException {
        begin();
        try (Arena a = Arena.ofConfined()) {
            int n = buf.remaining();
            MemorySegment seg = a.allocate(Math.max(n, 1));
            MemorySegment.copy(MemorySegment.ofBuffer(buf), 0, seg, 0, n);
            while (true) {
                long r = Sockets.send(fd, seg, n, Sockets.MSG_NOSIGNAL | Sockets.MSG_DONTWAIT);
                if (r == n) {
                    buf.position(buf.position() + n);
                    return SendResult.SENT;
                }
                if (r >= 0) {
                    buf.position(buf.position() + (int) r);
                    return SendResult.PARTIAL;
                }
                if (r == -Errno.EAGAIN) {
                    return SendResult.WOULD_BLOCK;
                }
                if (r != -Errno.EINTR) {
                    throw new UnixSocketException("send failed", (int) -r);
                }
            }
        } finally {
            end();
        }
    }

    private void checkOpen() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new ClosedChannelException();
            }
        }
    }

    /**
     * Reads up to {@code max} bytes, waiting until at least one is available. Returns -1
     * at end of stream. {@code deadlineNanos} ({@link System#nanoTime} scale, 0 = none)
     * bounds the wait: when it passes with nothing read, returns 0.
     */
    public int readSome(byte[] dst, int off, int max, long deadlineNanos) throws IOException {
        begin();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(Math.max(max, 1));
            while (true) {
                long r = Sockets.recv(fd, seg, max, Sockets.MSG_DONTWAIT);
                if (r > 0) {
                    MemorySegment.copy(seg, 0, MemorySegment.ofArray(dst), off, r);
                    return (int) r;
                }
                if (r == 0) {
                    return -1;
                }
                if (r == -Errno.EAGAIN) {
                    if (deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0) {
                        return 0;
                    }
                    checkOpen();
                    Poller.get().await(fd, false, deadlineNanos, this::isClosed);
                    checkOpen();
                    if (Thread.currentThread().isInterrupted()) {
                        throw new java.io.InterruptedIOException("interrupted while reading");
                    }
                } else if (r == -Errno.ECONNRESET) {
                    return -1;
                } else if (r != -Errno.EINTR) {
                    throw new UnixSocketException("recv failed", (int) -r);
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Reads exactly {@code n} bytes, or returns null at end of stream before the first
     * byte. End of stream in the middle throws EOFException; the read timeout, if set,
     * throws SocketTimeoutException.
     */
    @Override
    public @Nullable ByteBuffer readOrEof(int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        long t = readTimeoutNanos;
        long deadline = t > 0 ? System.nanoTime() + t : 0;
        while (got < n) {
            int r = readSome(b, got, n - got, deadline);
            if (r < 0) {
                if (got == 0) {
                    return null;
                }
                throw new EOFException("connection ended after " + got + " of " + n + " bytes");
            }
            if (r == 0) {
                throw new SocketTimeoutException("no data within " + (t / 1_000_000L) + " ms (" + got + " of " + n + " bytes)");
            }
            got += r;
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The connecting process's pid/uid/gid ({@code SO_PEERCRED}). */
    public PeerCredentials peerCredentials() throws IOException {
        begin();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(12, 4);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 12);
            int r = Sockets.getsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_PEERCRED, v, len);
            if (r < 0) {
                throw new UnixSocketException("getsockopt(SO_PEERCRED) failed", -r);
            }
            return new PeerCredentials(v.get(JAVA_INT, 0), v.get(JAVA_INT, 4), v.get(JAVA_INT, 8));
        } finally {
            end();
        }
    }

    /** {@code setsockopt(SO_PASSCRED)}, which the reference sets on every accepted connection. */
    public void setPassCred(boolean on) throws IOException {
        begin();
        try {
            int r = Sockets.setsockoptInt(fd, Sockets.SOL_SOCKET, Sockets.SO_PASSCRED, on ? 1 : 0);
            if (r < 0) {
                throw new UnixSocketException("setsockopt(SO_PASSCRED) failed", -r);
            }
        } finally {
            end();
        }
    }

    /**
     * Whether a program started with {@code execv} keeps this fd (clears or sets
     * FD_CLOEXEC). A registered connection must stay open across exec for the lease to
     * live as long as the program (sanlock's {@code client command}).
     */
    public void setInheritable(boolean inheritable) throws IOException {
        begin();
        try {
            int r = Sockets.fcntl(fd, Sockets.F_SETFD, inheritable ? 0 : Sockets.FD_CLOEXEC);
            if (r < 0) {
                throw new UnixSocketException("fcntl(F_SETFD) failed", -r);
            }
        } finally {
            end();
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Whether bytes (or the end of the stream) wait to be read: a peek that never blocks and consumes nothing. */
    public boolean hasPendingInput() throws IOException {
        begin();
        try (Arena a = Arena.ofConfined()) {
            long r = Sockets.recv(fd, a.allocate(1), 1, Sockets.MSG_DONTWAIT | Sockets.MSG_PEEK);
            return r >= 0 || (r != -Errno.EAGAIN && r != -Errno.EINTR);
        } finally {
            end();
        }
    }

    @Override
    public boolean isOpen() {
        synchronized (lock) {
            return !closed;
        }
    }

    /** Ends the sending direction only: the peer reads EOF after what was sent, and may still reply. */
    public void shutdownOutput() {
        synchronized (lock) {
            if (!fdClosed) {
                Sockets.shutdown(fd, Sockets.SHUT_WR);
            }
        }
    }

    /** Shuts down both directions; the peer sees EOF even if this fd was inherited elsewhere. */
    public void shutdown() {
        synchronized (lock) {
            if (!fdClosed) {
                Sockets.shutdown(fd, Sockets.SHUT_RDWR);
            }
        }
    }

    /** Closes the socket; pending reads/writes on other threads end with ClosedChannelException. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Poller.get().forget(fd);
        synchronized (lock) {
            maybeCloseFd();
        }
    }

    @Override
    public String toString() {
        return "UnixSocket[fd=" + fd + (isOpen() ? "" : " closed") + "]";
    }
}
