package io.jsanlock.daemon;

import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;
import io.jsanlock.wire.unix.UnixSocket;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One connection slot of the daemon (the reference's "client"): an ordinary request
 * connection, a registered process (the lease holder), an event channel, or one of the
 * two internal entries ({@code helper}, {@code listener}) that `client status` lists.
 *
 * <p>The client's state, its leases above all, is changed only by its own methods, each
 * under the object's monitor, so the invariants hold in one place:
 * <ul>
 * <li>leases are added only to a registered client that is not dead; a dead client's
 * leases are handed out once ({@link #takeLeasesAtExit}) and it takes no new ones;</li>
 * <li>at most one registered-class command runs with this client as its target
 * ({@link #beginCommand}/{@link #endCommand}); a client that died meanwhile has its
 * leases released when that command ends;</li>
 * </ul>
 * Nothing outside this class takes the monitor.
 */
final class Client {
    final int ci;
    final UnixSocket socket;
    final boolean internal;
    /** Reads this connection's request bodies, counting bytes for draining. */
    final BodyReader in;

    /** The connecting process (SO_PEERCRED at accept), -1 when unknown: whose REGISTER this connection may carry. */
    volatile int peerPid = -1;
    /** A request read from this connection is being served. */
    volatile boolean serving;
    /** A request from this connection has been served (a REGISTER comes first on a connection, or never). */
    volatile boolean servedAny;
    /**
     * The fd an internal entry reports: the listening socket's for {@code listener}; -1
     * for {@code helper} (the reference's fd of its pipe from the helper process, which
     * jsanlock does not have).
     */
    volatile int internalFd = -1;

    private String name;
    private int pid = -1;
    private boolean registered;
    private int restricted;
    private int killpathFlags;
    private String killpath = "";
    private String killargs = "";
    /** A registered-class command is running with this client as its target. */
    private boolean cmdActive;
    private int cmdLast;
    /** The registered connection has closed: the process is gone. */
    private boolean dead;
    private boolean released;
    private boolean eventChannel;
    private final List<HeldLease> leases = new ArrayList<>();

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

    // ------------------------------------------------------------------ identity and settings

    synchronized int pid() {
        return pid;
    }

    synchronized boolean registered() {
        return registered;
    }

    synchronized boolean dead() {
        return dead;
    }

    synchronized boolean registeredAs(int processId) {
        return registered && pid == processId;
    }

    synchronized boolean restrictedAll() {
        return (restricted & CommandFlags.RESTRICT_ALL) != 0;
    }

    /** A request arrives: an unregistered connection is named after the command it serves, as by the reference. */
    synchronized void serving(int cmdNumber, String cmdName) {
        cmdLast = cmdNumber;
        if (!registered) {
            name = cmdName;
        }
    }

    /**
     * REGISTER: this connection now stands for process {@code processId}. Returns how many
     * leases a previous registration of the connection held: the reference drops its token
     * table without releasing them, and they stay held until the daemon exits.
     */
    synchronized int register(int processId) {
        int dropped = registered ? leases.size() : 0;
        leases.clear();
        pid = processId;
        registered = true;
        name = Integer.toString(processId);
        return dropped;
    }

    /** A REGISTER that could not be honoured (no peer credentials): the connection is not registered. */
    synchronized void registrationFailed() {
        registered = false;
    }

    synchronized void restrict(int flags) {
        restricted = flags;
    }

    synchronized void killpath(String path, String args, int flags) {
        killpath = path;
        killargs = args;
        killpathFlags = flags;
    }

    /** What the fencer needs to stop this process: its pid, RESTRICT bits and killpath. */
    record KillSettings(int pid, int restricted, String killpath, String killargs, int killpathFlags) {}

    synchronized KillSettings killSettings() {
        return new KillSettings(pid, restricted, killpath, killargs, killpathFlags);
    }

    synchronized void becameEventChannel() {
        eventChannel = true;
    }

    /** Where this connection stands for an acquire by pid (ACQUIRE with data2 = pid) that waits for a REGISTER. */
    enum Registration { AS_THAT_PID, NEVER, NOT_YET }

    synchronized Registration registrationFor(int processId) {
        if (registered && pid == processId) {
            return Registration.AS_THAT_PID;
        }
        return registered || dead || eventChannel ? Registration.NEVER : Registration.NOT_YET;
    }

    // ------------------------------------------------------------------ registered-class commands

    /** Starts a command targeting this client: false (-16) when it is dead, unregistered or busy. */
    synchronized boolean beginCommand() {
        if (dead || !registered || cmdActive) {
            return false;
        }
        cmdActive = true;
        return true;
    }

    /** Ends the command begun with {@link #beginCommand}; true when the client died meanwhile (its leases to be released now). */
    synchronized boolean endCommand() {
        cmdActive = false;
        return dead;
    }

    /** The registered connection closed; true when its leases are to be released now (no command running for it). */
    synchronized boolean connectionClosed() {
        dead = true;
        return registered && !cmdActive;
    }

    // ------------------------------------------------------------------ leases

    synchronized boolean holds(Resource r) {
        return find(r) != null;
    }

    synchronized HeldLease lease(Resource r) {
        return find(r);
    }

    private HeldLease find(Resource r) {
        for (HeldLease l : leases) {
            if (l.sameName(r)) {
                return l;
            }
        }
        return null;
    }

    synchronized List<HeldLease> leases() {
        return List.copyOf(leases);
    }

    /**
     * Records leases granted by an ACQUIRE, with the owner name it gave. False, recording
     * nothing, when the process died meanwhile (the caller releases them).
     */
    synchronized boolean addLeases(List<HeldLease> got, String ownerName) {
        if (dead) {
            return false;
        }
        leases.addAll(got);
        name = ownerName;
        return true;
    }

    synchronized void removeLeases(List<HeldLease> gone) {
        leases.removeAll(gone);
    }

    /** Replaces a lease by the same lease in another mode (CONVERT); nothing when it was released meanwhile. */
    synchronized void replaceLease(HeldLease old, HeldLease now) {
        int i = leases.indexOf(old);
        if (i >= 0) {
            leases.set(i, now);
        }
    }

    /** The leases a RELEASE takes away: all of them, or those named ({@code missing} counts names not held). */
    record Taken(List<HeldLease> leases, int missing) {}

    synchronized Taken takeLeases(List<Resource> names, boolean all) {
        if (all) {
            List<HeldLease> out = List.copyOf(leases);
            leases.clear();
            return new Taken(out, 0);
        }
        List<HeldLease> out = new ArrayList<>();
        int missing = 0;
        for (Resource r : names) {
            HeldLease found = find(r);
            if (found == null) {
                missing++;
            } else {
                leases.remove(found);
                out.add(found);
            }
        }
        return new Taken(out, missing);
    }

    /** A dead client's leases, and those of them listed as being released (REM) until they are. */
    record Exit(int pid, List<HeldLease> leases, ResourceBackend.ClientLeases listed) {}

    /**
     * A dead client's (or, at shutdown, every client's) leases, handed out once: null when
     * they were taken already. The non-persistent ones are added to {@code releasing} under
     * the monitor, so there is no moment where `status` lists them neither as held nor as
     * being released (REM); the caller removes {@link Exit#listed} once they are released.
     */
    synchronized Exit takeLeasesAtExit(Collection<ResourceBackend.ClientLeases> releasing) {
        if (released) {
            return null;
        }
        released = true;
        List<HeldLease> out = List.copyOf(leases);
        leases.clear();
        ResourceBackend.ClientLeases listed = new ResourceBackend.ClientLeases(pid, out.stream().filter(l -> !l.persistent()).toList());
        if (!listed.leases().isEmpty()) {
            releasing.add(listed);
        }
        return new Exit(pid, out, listed);
    }

    /** A live registered process holding a lease in {@code lockspace} (and of {@code resource}, when not null). */
    synchronized boolean liveHolderIn(String lockspace, String resource) {
        if (internal || dead || !registered) {
            return false;
        }
        for (HeldLease l : leases) {
            if (l.resource().lockspace().equals(lockspace) && (resource == null || l.resource().name().equals(resource))) {
                return true;
            }
        }
        return false;
    }

    /** The lockspace of a live registered process's first lease, null when it holds none (forced shutdown). */
    synchronized String liveHolderLockspace() {
        if (internal || dead || !registered || leases.isEmpty()) {
            return null;
        }
        return leases.get(0).resource().lockspace();
    }

    // ------------------------------------------------------------------ status

    /** A registered process holding leases, as the web view lists it. */
    record Holding(int pid, String name, List<HeldLease> leases) {}

    /** This client as a holder of leases; null when it is internal, not registered or holds none. */
    synchronized Holding holding() {
        if (internal || !registered || leases.isEmpty()) {
            return null;
        }
        return new Holding(pid, name, List.copyOf(leases));
    }

    /** The CLIENT record of `client status`, and the client's leases for the RESOURCE records (null when none). */
    record Status(StateRecord record, ResourceBackend.ClientLeases leases) {}

    synchronized Status status() {
        String text = "ci=" + ci + " fd=" + fd() + " pid=" + pid + " flags=" + Integer.toHexString(killpathFlags)
                + " restricted=" + Integer.toHexString(restricted) + " cmd_active=" + (cmdActive ? 1 : 0)
                + " cmd_last=" + cmdLast + " pid_dead=" + (dead ? 1 : 0) + " kill_count=0 kill_last=0 suspend=0 need_free=0";
        return new Status(new StateRecord(StateType.CLIENT, 0, pid, 0, name, text, null, null),
                leases.isEmpty() ? null : new ResourceBackend.ClientLeases(pid, List.copyOf(leases)));
    }
}
