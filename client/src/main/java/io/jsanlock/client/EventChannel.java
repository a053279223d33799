package io.jsanlock.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.EventCallback;
import io.jsanlock.wire.WireException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A REG_EVENT channel: the daemon pushes one 80-byte record per event another host set
 * for us in the lockspace. Closing it ends the registration as libsanlock does: write
 * the 4-byte value 1 on the channel, close it, then send END_EVENT on a new connection.
 */
public final class EventChannel implements AutoCloseable {
    private final SanlockClient client;
    private final String lockspace;
    private final Connection connection;
    private boolean closed;

    EventChannel(SanlockClient client, String lockspace, Connection connection) {
        this.client = client;
        this.lockspace = lockspace;
        this.connection = connection;
    }

    public String lockspace() {
        return lockspace;
    }

    public int fd() {
        return connection.socket().fd();
    }

    /**
     * The next event, waiting at most {@code timeoutMillis} (0 = do not wait, as
     * libsanlock's MSG_DONTWAIT read); null when none arrived in time.
     */
    public synchronized EventCallback next(long timeoutMillis) throws SanlockException {
        try {
            byte[] b = new byte[EventCallback.SIZE];
            long deadline = System.nanoTime() + Math.max(timeoutMillis, 0) * 1_000_000L;
            int got = connection.socket().readSome(b, 0, b.length, timeoutMillis <= 0 ? System.nanoTime() : deadline);
            if (got == 0) {
                return null;
            }
            if (got < 0) {
                throw new SanlockException(io.jsanlock.base.SanlockError.ENOTCONN, "event channel of " + lockspace + " was closed by the daemon");
            }
            // A record is written in one piece by the daemon; finish it if the read was split.
            while (got < b.length) {
                int r = connection.socket().readSome(b, got, b.length - got, 0);
                if (r < 0) {
                    throw new SanlockException(io.jsanlock.base.SanlockError.ENOTCONN, "event channel ended inside a record");
                }
                got += r;
            }
            return EventCallback.decode(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.REG_EVENT, "reading events of");
        }
    }

    @Override
    public synchronized void close() throws SanlockException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ByteBuffer end = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1);
            connection.socket().writeFully(end);
        } catch (IOException e) {
            // the daemon may already have dropped the channel; END_EVENT still cleans up
        } finally {
            connection.close();
        }
        client.endEvents(lockspace);
    }
}
