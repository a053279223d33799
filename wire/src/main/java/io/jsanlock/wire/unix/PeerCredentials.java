package io.jsanlock.wire.unix;

/**
 * {@code struct ucred} from {@code getsockopt(SO_PEERCRED)}: the process that called
 * {@code connect()} on the other end. The daemon records only the pid at REGISTER
 * (wire.md 1.3); the JDK's own SO_PEERCRED option gives user and group but no pid.
 */
public record PeerCredentials(int pid, int uid, int gid) {}
