package io.jsanlock.vm;

import io.jsanlock.posix.Errno;

/**
 * A libvirt-style error: a code (which gives the displayed prefix) and a detail. Every
 * failure jvirsh reports to the user is one of these, so messages read exactly like
 * libvirt's ("resource busy: Failed to acquire lock: error -243").
 */
public class VirError extends Exception {
    private static final long serialVersionUID = 1L;

    private final VirErrorCode code;
    private final String detail;

    public VirError(VirErrorCode code, String detail) {
        this(code, detail, null);
    }

    public VirError(VirErrorCode code, String detail, Throwable cause) {
        super(code.prefix() + detail, cause);
        this.code = code;
        this.detail = detail;
    }

    public VirErrorCode code() {
        return code;
    }

    /** The message without the code's prefix. */
    public String detail() {
        return detail;
    }

    /** A system error: {@code <text>: <strerror(errno)>}, as libvirt's virReportSystemError. */
    public static VirError system(String text, int negErrno) {
        return new VirError(VirErrorCode.SYSTEM_ERROR, text + ": " + Errno.strerror(-negErrno));
    }
}
