package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A byte stream that messages are read from in fixed-size pieces. The reference never
 * trusts {@code header.length} to find a body: each handler reads a command-defined
 * number of bytes (wire.md 1.4), and so do the decoders here. Every size passed to
 * {@link #read} is bounded by a limit checked beforehand, so a lying count can never
 * cause a large allocation.
 */
public interface WireIn {

    /**
     * Reads exactly {@code n} bytes, or returns null when the stream ends before the
     * first of them (a clean end between messages).
     */
    @Nullable ByteBuffer readOrEof(int n) throws IOException;

    /** Reads exactly {@code n} bytes; a stream ending early is -107 (-ENOTCONN) as the reference answers a short body. */
    default ByteBuffer read(int n, String what) throws IOException, WireException {
        ByteBuffer b = readOrEof(n);
        if (b == null) {
            throw new WireException(SanlockError.ENOTCONN, "connection ended before " + what + " (" + n + " bytes)");
        }
        return b;
    }

    /** A WireIn over bytes already in memory (tests, fuzzing, buffered bodies). */
    static WireIn of(ByteBuffer source) {
        ByteBuffer src = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return n -> {
            if (!src.hasRemaining() && n > 0) {
                return null;
            }
            if (src.remaining() < n) {
                throw new java.io.EOFException("stream ended after " + src.remaining() + " of " + n + " bytes");
            }
            ByteBuffer out = src.slice(src.position(), n).order(ByteOrder.LITTLE_ENDIAN);
            src.position(src.position() + n);
            return out;
        };
    }
}
