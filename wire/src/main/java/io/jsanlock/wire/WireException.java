package io.jsanlock.wire;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;

/**
 * A message that does not follow the wire format: truncated, a count or length that
 * lies, a field that does not fit. Carries the sanlock code the daemon would answer
 * with (e.g. -107 for a short body, -34 for a bad disk count) so a decoder failure
 * can become an error reply instead of a crash.
 */
public class WireException extends SanlockException {
    private static final long serialVersionUID = 1L;

    public WireException(SanlockError error, String message) {
        super(error, message);
    }

    /** For codes without a name in {@link SanlockError} (e.g. -6 ENXIO from the resource string parser). */
    public WireException(int code, String message) {
        super(code, message, null);
    }

    public WireException(SanlockError error, String message, Throwable cause) {
        super(error, message, cause);
    }
}
