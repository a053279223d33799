package io.jsanlock.base;

import org.jspecify.annotations.Nullable;

/**
 * A failure with a sanlock result code. Thrown by every layer instead of generic
 * exceptions so that callers (the CLI, the daemon's reply, the VM driver) can print
 * or send the exact code sanlock would, and so a message always names what is wrong.
 */
public class SanlockException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;

    public SanlockException(SanlockError error, @Nullable String message) {
        this(error.code(), message, null);
    }

    public SanlockException(SanlockError error, @Nullable String message, @Nullable Throwable cause) {
        this(error.code(), message, cause);
    }

    /** For codes received from a peer that jsanlock may not know by name. */
    public SanlockException(int code, @Nullable String message, @Nullable Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The negative sanlock result code. */
    public int code() {
        return code;
    }

    /** The named error, or null when the code has no name here. */
    public @Nullable SanlockError error() {
        return SanlockError.ofCode(code);
    }

    /**
     * The code, its name and the message, for logs and test failures. getMessage() stays the
     * bare text: the CLI prints it to stderr where sanlock prints its own words.
     */
    @Override
    @SuppressWarnings("OverrideThrowableToString") // getMessage() must stay the bare text (see above)
    public String toString() {
        SanlockError e = error();
        return "SanlockException(" + code + (e == null ? "" : " " + e.symbol()) + "): " + getMessage();
    }
}
