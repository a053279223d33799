package io.jsanlock.wire.unix;

import java.io.IOException;

/** A failed socket call, with the errno sanlock's client would report as {@code -errno} (-2, -111, -13 ...). */
public class UnixSocketException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public UnixSocketException(String message, int errno) {
        super(message + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
