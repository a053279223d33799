package io.jsanlock.wire.unix;

import io.jsanlock.wire.WireIn;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connected AF_UNIX stream as a client's request/reply exchange needs it: write a
 * request, read the reply in fixed-size pieces, close. Two transports implement it:
 * {@link UnixChannel} (the JDK's own {@code SocketChannel}, no native linking: what a
 * one-request client command uses) and {@link UnixSocket} (FFM, for connections whose
 * descriptor must be reachable: registrations kept open across {@code execv}, event
 * channels, the daemon's side with SO_PEERCRED).
 *
 * <p>Failures keep the errno meaning of the FFM socket: a failed send is a
 * {@link UnixSocketException} with its errno, a connection reset while reading reads as
 * the end of the stream, a closed stream is {@link java.nio.channels.ClosedChannelException}.
 */
public interface UnixStream extends Closeable, WireIn {
    /** Writes all of {@code buf}. */
    void writeFully(ByteBuffer buf) throws IOException;

    boolean isOpen();

    /** Closes the connection (idempotent, never fails). */
    @Override
    void close();
}
