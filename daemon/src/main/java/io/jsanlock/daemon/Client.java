package io.jsanlock.daemon;

import io.jsanlock.wire.unix.UnixSocket;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection slot of the daemon (the reference's "client"): an ordinary request
 * connection, a registered process (the lease holder), an event channel, or one of the
 * two internal entries ({@code helper}, {@code listener}) that `client status` lists.
 * Mutable state is guarded by the object's monitor.
 */
final class Client {
    final int ci;
    final UnixSocket socket;
    final boolean internal;
    /** Reads this connection's request bodies, counting bytes for draining. */
    final BodyReader in;

    String name = "";
    int pid = -1;
    /** The connecting process (SO_PEERCRED at accept), -1 when unknown: whose REGISTER this connection may carry. */
    volatile int peerPid = -1;
    /** A request read from this connection is being served. */
    volatile boolean serving;
    /** A request from this connection has been served (a REGISTER comes first on a connection, or never). */
    volatile boolean servedAny;
    boolean registered;
    int restricted;
    int killpathFlags;
    String killpath = "";
    String killargs = "";
    /** A registered-class command is running with this client as its target. */
    boolean cmdActive;
    int cmdLast;
    /** The registered connection has closed: the process is gone. */
    boolean dead;
    boolean released;
    boolean eventChannel;
    final List<HeldLease> leases = new ArrayList<>();
    /**
     * The fd an internal entry reports: the listening socket's for {@code listener}; -1
     * for {@code helper} (the reference's fd of its pipe from the helper process, which
     * jsanlock does not have).
     */
    volatile int internalFd = -1;

    Client(int ci, UnixSocket socket, boolean internal, String name) {
        this.ci = ci;
        this.socket = socket;
        this.internal = internal;
        this.in = socket == null ? null : new BodyReader(socket);
        this.name = name;
    }

    int fd() {
        return socket == null ? internalFd : socket.fd();
    }

    boolean restrictedAll() {
        return (restricted & io.jsanlock.wire.CommandFlags.RESTRICT_ALL) != 0;
    }
}
