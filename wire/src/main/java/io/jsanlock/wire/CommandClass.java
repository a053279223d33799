package io.jsanlock.wire;

/**
 * How the reference daemon serves a command (wire.md section 1.5); decides whether the
 * connection stays open after the reply and whether a registered target is needed.
 */
public enum CommandClass {
    /** Served at once by the poll loop; the connection is closed after the reply unless registered (or REGISTER/RESTRICT/VERSION). */
    INLINE,
    /** Served by a worker thread; the connection stays open afterwards. */
    WORKER,
    /** Like WORKER, but needs a registered target client (own connection or data2 = pid). */
    REGISTERED
}
