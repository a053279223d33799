package io.jsanlock.client;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.WireException;
import io.jsanlock.wire.unix.UnixChannel;
import io.jsanlock.wire.unix.UnixSocket;
import io.jsanlock.wire.unix.UnixSocketException;
import io.jsanlock.wire.unix.UnixStream;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * One socket to the daemon with request/reply helpers that turn every failure into a
 * {@link SanlockException} carrying the code libsanlock would return: connection errors
 * as {@code -errno} (-2 no socket, -111 no daemon, -13 no permission), a negative
 * {@code data} in the reply header as itself.
 */
final class Connection implements AutoCloseable {
    private final UnixStream stream;

    private Connection(UnixStream stream) {
        this.stream = stream;
    }

    /**
     * A connection for requests answered on it (everything but a registration or an
     * event channel): the JDK's channel where it can name the path, so a one-request
     * command links no native code ({@link UnixChannel}). {@code socketPath} is a byte
     * string (one char per byte).
     */
    static Connection open(String socketPath) throws SanlockException {
        try {
            return new Connection(UnixChannel.connect(ByteStrings.toBytes(socketPath)));
        } catch (IOException e) {
            throw connectFailure(socketPath, e);
        }
    }

    /**
     * A connection on the FFM socket, whose descriptor we own: a registration (kept open
     * across execv by {@code client command} and jvirsh's guest launcher) or an event
     * channel (read with deadlines, its fd handed to pollers).
     */
    static Connection openWithDescriptor(String socketPath) throws SanlockException {
        try {
            return new Connection(UnixSocket.connect(ByteStrings.toBytes(socketPath), 0));
        } catch (IOException e) {
            throw connectFailure(socketPath, e);
        }
    }

    private static SanlockException connectFailure(String socketPath, IOException e) {
        if (e instanceof UnixSocketException u) {
            return new SanlockException(-u.errno(), "cannot connect to sanlock daemon at " + socketPath + ": " + e.getMessage(), e);
        }
        return new SanlockException(SanlockError.ENOTCONN, "cannot connect to sanlock daemon at " + socketPath + ": " + e.getMessage(), e);
    }

    /** The stream replies are read from. */
    UnixStream stream() {
        return stream;
    }

    /** The FFM socket of a connection opened with {@link #openWithDescriptor}. */
    UnixSocket socket() {
        if (stream instanceof UnixSocket s) {
            return s;
        }
        throw new IllegalStateException("not a descriptor connection: " + stream);
    }

    void send(ByteBuffer message, Command cmd) throws SanlockException {
        try {
            stream.writeFully(message);
        } catch (IOException e) {
            throw ioFailure(e, cmd, "sending");
        }
    }

    /** Reads the reply header for {@code cmd} (does not judge its result). */
    Header readHeader(Command cmd) throws SanlockException {
        try {
            ByteBuffer b = stream.readOrEof(Header.SIZE);
            if (b == null) {
                throw new SanlockException(SanlockError.ENOTCONN, cmd + ": daemon closed the connection without replying");
            }
            Header h = Header.decode(b);
            h.checkReplyTo(cmd);
            return h;
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw ioFailure(e, cmd, "reading the reply to");
        }
    }

    /** Sends a request and returns the reply header, throwing when its result is negative. */
    Header call(ByteBuffer message, Command cmd) throws SanlockException {
        send(message, cmd);
        Header h = readHeader(cmd);
        check(h, cmd);
        return h;
    }

    static void check(Header h, Command cmd) throws SanlockException {
        if (h.result() < 0) {
            throw Results.failure(cmd, h.result());
        }
    }

    static SanlockException ioFailure(IOException e, Command cmd, String doing) {
        if (e instanceof UnixSocketException u) {
            return new SanlockException(-u.errno(), doing + " " + cmd + " failed: " + e.getMessage(), e);
        }
        if (e instanceof EOFException || e instanceof ClosedChannelException) {
            return new SanlockException(SanlockError.ENOTCONN, doing + " " + cmd + ": connection ended: " + e.getMessage(), e);
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return new SanlockException(SanlockError.ETIMEDOUT, doing + " " + cmd + ": " + e.getMessage(), e);
        }
        return new SanlockException(SanlockError.EIO, doing + " " + cmd + " failed: " + e, e);
    }

    @Override
    public void close() {
        stream.close();
    }
}
