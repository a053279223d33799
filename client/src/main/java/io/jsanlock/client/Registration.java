package io.jsanlock.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.IOException;
import java.util.List;

/**
 * A registered connection: the daemon's handle on this process as a lease holder.
 *
 * <p>Its lifetime is the leases' lifetime: when it is closed — explicitly, or because
 * the process died and the kernel closed the socket — the daemon releases every lease
 * acquired through it (PERSISTENT ones become orphans). Keep it open for as long as the
 * protected work runs. Commands sent here target this registration ({@code data2 = -1}).
 *
 * <p>Calls are serialised: the daemon answers one request at a time per connection.
 */
public final class Registration implements AutoCloseable {
    private final SanlockClient client;
    private final Connection connection;

    Registration(SanlockClient client, Connection connection) {
        this.client = client;
        this.connection = connection;
    }

    public SanlockClient client() {
        return client;
    }

    /** The registered socket's fd (e.g. to keep it open across exec with {@link #setInheritable}). */
    public int fd() {
        return connection.socket().fd();
    }

    /** The underlying socket. */
    public UnixSocket socket() {
        return connection.socket();
    }

    /** Lets (or stops) a program started with execv inherit the registration, so the leases live as long as it does. */
    public void setInheritable(boolean inheritable) throws SanlockException {
        try {
            connection.socket().setInheritable(inheritable);
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.REGISTER, "configuring");
        }
    }

    private synchronized Header call(java.nio.ByteBuffer request, Command cmd) throws SanlockException {
        return connection.call(request, cmd);
    }

    /**
     * ACQUIRE leases for this process. {@code cmdFlags}: CommandFlags.ACQUIRE_* (LVB,
     * ORPHAN, ORPHAN_ONLY, OWNER_NOWAIT). Per resource: SHARED, LVER (+ lver),
     * PERSISTENT, NUM_HOSTS in its flags. All or nothing: on failure none is held.
     */
    public void acquire(List<Resource> resources, int cmdFlags, Options options) throws SanlockException {
        call(Requests.acquire(Requests.SELF, cmdFlags, resources, options), Command.ACQUIRE);
    }

    public void acquire(Resource... resources) throws SanlockException {
        acquire(List.of(resources), 0, Options.NONE);
    }

    /** RELEASE the named leases (matched on lockspace + resource name); -1 when one is not held. */
    public void release(List<Resource> resources) throws SanlockException {
        call(Requests.release(Requests.SELF, 0, resources), Command.RELEASE);
    }

    public void release(Resource... resources) throws SanlockException {
        release(List.of(resources));
    }

    /** RELEASE every lease of this registration. */
    public void releaseAll() throws SanlockException {
        call(Requests.release(Requests.SELF, CommandFlags.REL_ALL, List.of()), Command.RELEASE);
    }

    /** RELEASE with REL_ORPHAN: drop orphans of the lockspace (one by name, or all when null). Returns the count. */
    public int releaseOrphans(String lockspace, String resourceName) throws SanlockException {
        Resource r = new Resource(lockspace, resourceName, 0, 0, 0, 0, 0, List.of());
        return call(Requests.release(Requests.SELF, CommandFlags.REL_ORPHAN, List.of(r)), Command.RELEASE).result();
    }

    /** INQUIRE our leases. */
    public synchronized Inquiry inquire() throws SanlockException {
        return SanlockClient.inquireOn(connection, Requests.SELF);
    }

    /** CONVERT a held lease to the mode its SHARED flag names (-114 when already in it). */
    public void convert(Resource resource, int cmdFlags) throws SanlockException {
        call(Requests.convert(Requests.SELF, cmdFlags, resource), Command.CONVERT);
    }

    /**
     * RESTRICT: {@code CommandFlags.RESTRICT_*} (replace earlier ones). After
     * RESTRICT_ALL the daemon ignores everything else sent here.
     */
    public void restrict(int flags) throws SanlockException {
        call(Requests.headerOnly(Command.RESTRICT, flags, 0, Requests.SELF), Command.RESTRICT);
    }

    /**
     * KILLPATH: the program (and argument string, arguments separated by spaces with
     * spaces/backslashes inside one escaped) the daemon runs instead of signalling us when
     * our lockspace fails. {@code appendPid}: KILLPATH_PID.
     */
    public void killpath(String path, String args, boolean appendPid) throws SanlockException {
        call(Requests.killpath(appendPid ? CommandFlags.KILLPATH_PID : 0, path, args), Command.KILLPATH);
    }

    /** python's way to build the killpath argument string: escape space and backslash, join with spaces. */
    public static String killpathArgs(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            for (char ch : a.toCharArray()) {
                if (ch == ' ' || ch == '\\') {
                    sb.append('\\');
                }
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** VERSION on this connection (the daemon keeps registered connections open). */
    public DaemonVersion version() throws SanlockException {
        Header h = call(Requests.headerOnly(Command.VERSION, 0, 0, 0), Command.VERSION);
        return new DaemonVersion(h.data2(), h.version());
    }

    public boolean isOpen() {
        return connection.socket().isOpen();
    }

    /** Ends the registration: the daemon releases every lease acquired through it. */
    @Override
    public void close() {
        connection.close();
    }
}
