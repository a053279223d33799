package io.jsanlock.wire.unix;

import io.jsanlock.posix.Errno;
import io.jsanlock.posix.Sockets;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A listening AF_UNIX stream socket (FFM; see {@link UnixSocket} for why). Accepted
 * connections are non-blocking and close-on-exec; {@link #accept} parks (virtual-thread
 * friendly) until a client connects or the socket is closed.
 */
public final class UnixServerSocket implements Closeable {
    private final int fd;
    private final Path path;
    private volatile boolean closed;

    private UnixServerSocket(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /** socket + bind + listen. The caller removes a stale socket file first (the reference unlinks it). */
    public static UnixServerSocket bind(Path path, int backlog) throws IOException {
        int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new UnixSocketException("socket(AF_UNIX) failed", -fd);
        }
        int r = Sockets.bind(fd, path.toString().getBytes(StandardCharsets.UTF_8));
        if (r < 0) {
            Sockets.close(fd);
            throw new UnixSocketException("bind " + path + " failed", -r);
        }
        r = Sockets.listen(fd, backlog);
        if (r < 0) {
            Sockets.close(fd);
            throw new UnixSocketException("listen on " + path + " failed", -r);
        }
        return new UnixServerSocket(fd, path);
    }

    public Path path() {
        return path;
    }

    public int fd() {
        return fd;
    }

    /** Waits for and returns the next connection; ClosedChannelException once closed. */
    public UnixSocket accept() throws IOException {
        while (true) {
            if (closed) {
                throw new ClosedChannelException();
            }
            int c = Sockets.accept4(fd, Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC);
            if (c >= 0) {
                return new UnixSocket(c);
            }
            if (c == -Errno.EAGAIN || c == -Errno.EINTR || c == -103 /* ECONNABORTED */) {
                Poller.get().await(fd, false, 0, () -> closed);
            } else if (c == -24 || c == -23) { // EMFILE / ENFILE: back off instead of spinning
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted in accept");
                }
            } else {
                throw new UnixSocketException("accept on " + path + " failed", -c);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Poller.get().forget(fd);
        Sockets.close(fd);
    }
}
