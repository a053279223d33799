package io.jsanlock.daemon;

import io.jsanlock.wire.WireIn;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a request body from a connection and counts what it consumed, so that a
 * request rejected half-way can be drained by exactly its unread rest (wire.md 1.4)
 * without eating into the next request.
 */
final class BodyReader implements WireIn {
    private final UnixSocket socket;
    private long consumed;

    BodyReader(UnixSocket socket) {
        this.socket = socket;
    }

    void reset() {
        consumed = 0;
    }

    long consumed() {
        return consumed;
    }

    @Override
    public ByteBuffer readOrEof(int n) throws IOException {
        ByteBuffer b = socket.readOrEof(n);
        if (b != null) {
            consumed += n;
        }
        return b;
    }
}
