package io.jsanlock.cli.client;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.WireException;
import io.jsanlock.wire.unix.UnixChannel;
import io.jsanlock.wire.unix.UnixSocketException;
import io.jsanlock.wire.unix.UnixStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ACQUIRE of no lease at all. sanlock's CLI sends it when every {@code -r} failed to parse
 * (or none was given): the daemon answers it like any acquire (0 for a registered pid,
 * -3 for an unknown one, -16 for an unregistered connection), and scripts see that
 * answer. The client library refuses an empty acquire as a programming error, so the CLI
 * sends this one request itself: header with {@code data = 0}, then the 56-byte options.
 */
final class EmptyAcquire {
    private EmptyAcquire() {
    }

    static ByteBuffer request(int target, int flags) throws WireException {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + Options.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        Header.request(Command.ACQUIRE, flags, Options.SIZE, 0, target).encode(b);
        Options.NONE.encode(b);
        return b.flip();
    }

    /** On a new connection, for registered process {@code pid}. */
    static void send(SanlockClient client, int pid, int flags) throws SanlockException {
        UnixStream s;
        try {
            s = UnixChannel.connect(ByteStrings.toBytes(client.socketPathBytes()));
        } catch (UnixSocketException e) {
            throw new SanlockException(-e.errno(), "cannot connect to sanlock daemon at " + client.socketPathBytes() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SanlockException(SanlockError.ENOTCONN, "cannot connect: " + e.getMessage(), e);
        }
        try {
            call(s, request(pid, flags));
        } finally {
            s.close();
        }
    }

    /** On an open (registered) connection. */
    static void call(UnixStream s, ByteBuffer request) throws SanlockException {
        try {
            s.writeFully(request);
            ByteBuffer reply = s.readOrEof(Header.SIZE);
            if (reply == null) {
                throw new SanlockException(SanlockError.ENOTCONN, "daemon closed the connection without replying to acquire");
            }
            Header h = Header.decode(reply);
            h.checkReplyTo(Command.ACQUIRE);
            if (h.result() < 0) {
                throw new SanlockException(h.result(), "acquire failed: " + h.result(), null);
            }
        } catch (UnixSocketException e) {
            throw new SanlockException(-e.errno(), "acquire: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SanlockException(SanlockError.EIO, "acquire: " + e.getMessage(), e);
        }
    }
}
