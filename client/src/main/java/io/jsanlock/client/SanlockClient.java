package io.jsanlock.client;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;
import io.jsanlock.wire.ResourceStrings;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.WireException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of a sanlock daemon (the reference's or jsanlock's) over its unix socket,
 * sending what libsanlock 3.8.5 sends (wire.md section 10.1). Each call opens its own
 * connection and closes it after the reply, as libsanlock does; the exception is
 * {@link #register()}, whose connection <em>is</em> the lease holder and lives in the
 * returned {@link Registration}.
 *
 * <p>Failures are {@link SanlockException}s with sanlock's codes: the daemon's negative
 * result, or {@code -errno} when the daemon cannot be reached (-2, -111, -13).
 * Operations on another process's registration take its pid (libsanlock's
 * {@code fd = -1, pid = P} form); operations on our own go through {@link Registration}.
 *
 * <p>Names and paths are byte strings, as in libsanlock (and python3-sanlock's {@code bytes}):
 * every lockspace name, resource name, owner name and disk path in the wire records
 * ({@link Lockspace}, {@link Resource}, {@link Disk}, ...) is a String with one char per
 * byte ({@link io.jsanlock.base.ByteStrings}). ASCII needs nothing. From raw bytes use
 * {@code ByteStrings.of(bytes)} (any bytes, UTF-8 or not, e.g. {@code /tmp/\xd7\x90}); from
 * Java text use {@code ByteStrings.utf8(text)} (what libvirt and python do with text), or
 * {@code ByteStrings.encoded(text, ByteStrings.platformCharset())} for the locale's charset
 * java.nio.file uses for the same name. A String holding a char above U+00FF is not a byte
 * string: the request is refused with -22 (EINVAL) instead of sending '?' for it. Names and
 * paths in replies ({@link #status}, {@link #getLockspaces}, {@link #logDump}, ...) come
 * back the same way: {@code ByteStrings.toBytes} gives their bytes.
 *
 * <p>Thread-safe: it holds no connection state.
 */
public final class SanlockClient {
    /** The reference's built-in run directory. */
    public static final Path DEFAULT_RUN_DIR = Path.of("/run/sanlock");

    /** The run directory as a byte string (one char per byte): a Linux path is bytes. */
    private final String runDir;

    /** A client for the run directory from {@code SANLOCK_RUN_DIR} (any value, even empty), else /run/sanlock. */
    public SanlockClient() {
        this.runDir = runDirFromEnvironment();
    }

    /** A client for {@code runDir}, whose bytes are those the JDK uses for it (its text in {@code sun.jnu.encoding}). */
    public SanlockClient(Path runDir) {
        this.runDir = ByteStrings.encoded(runDir.toString(), ByteStrings.platformCharset());
    }

    private SanlockClient(String runDirBytes) {
        this.runDir = runDirBytes;
    }

    /** A client for the run directory with exactly these bytes (a byte string, e.g. {@code ByteStrings.of(raw)}). */
    public static SanlockClient ofRunDirBytes(String runDir) {
        ByteStrings.toBytes(runDir); // refuses a String that is not a byte string
        return new SanlockClient(runDir);
    }

    /** {@code $SANLOCK_RUN_DIR} when set (even empty, as libsanlock), else {@link #DEFAULT_RUN_DIR}. */
    public static Path defaultRunDir() {
        String env = System.getenv("SANLOCK_RUN_DIR");
        return env != null ? Path.of(env) : DEFAULT_RUN_DIR;
    }

    /**
     * The bytes of {@code $SANLOCK_RUN_DIR} (a byte string), else "/run/sanlock". The JVM
     * decodes the environment with the locale's charset, which loses bytes that are not
     * text in it (any non-ASCII byte under LANG=C, invalid UTF-8 under a UTF-8 locale), so a
     * value that is not plain ASCII is read back from /proc/self/environ as the kernel holds it.
     */
    static String runDirFromEnvironment() {
        String env = System.getenv("SANLOCK_RUN_DIR");
        if (env == null) {
            return "/run/sanlock";
        }
        boolean ascii = true;
        for (int i = 0; i < env.length() && ascii; i++) {
            ascii = env.charAt(i) < 0x80;
        }
        if (!ascii) {
            byte[] raw = environmentBytes("SANLOCK_RUN_DIR");
            if (raw != null) {
                return ByteStrings.of(raw);
            }
        }
        return ByteStrings.encoded(env, ByteStrings.platformCharset());
    }

    /** The value of {@code name} in this process's initial environment, as bytes; null when absent or unreadable. */
    private static byte[] environmentBytes(String name) {
        byte[] all;
        try (java.io.InputStream in = new java.io.FileInputStream("/proc/self/environ")) {
            all = in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
        byte[] key = (name + "=").getBytes(StandardCharsets.ISO_8859_1);
        int start = 0;
        while (start < all.length) {
            int end = start;
            while (end < all.length && all[end] != 0) {
                end++;
            }
            if (end - start >= key.length && java.util.Arrays.equals(all, start, start + key.length, key, 0, key.length)) {
                return java.util.Arrays.copyOfRange(all, start + key.length, end);
            }
            start = end + 1;
        }
        return null;
    }

    /** The run directory as a Path (its bytes decoded with the JDK's charset: lossy where they are not text). */
    public Path runDir() {
        return Path.of(new String(ByteStrings.toBytes(runDir), ByteStrings.platformCharset()));
    }

    /** The run directory as a byte string. */
    public String runDirBytes() {
        return runDir;
    }

    /** RUN_DIR/sanlock.sock as a Path (see {@link #runDir()}; {@link #socketPathBytes()} has the exact bytes). */
    public Path socketPath() {
        return Path.of(new String(ByteStrings.toBytes(socketPathBytes()), ByteStrings.platformCharset()));
    }

    /**
     * RUN_DIR + "/sanlock.sock" as a byte string, formatted as libsanlock formats it (an empty
     * run directory gives "/sanlock.sock"; the reference then cuts it to 106 bytes, which
     * the FFM socket does when connecting).
     */
    public String socketPathBytes() {
        return runDir + "/sanlock.sock";
    }

    Connection open() throws SanlockException {
        return Connection.open(socketPathBytes());
    }

    private Header simple(ByteBuffer request, Command cmd) throws SanlockException {
        try (Connection c = open()) {
            return c.call(request, cmd);
        }
    }

    // ------------------------------------------------------------ registration

    /**
     * REGISTER: opens the connection that stands for this process as a lease holder
     * (the daemon records our pid via SO_PEERCRED; there is no reply). Leases acquired
     * through it are released by the daemon when it is closed — including when this
     * process dies.
     */
    public Registration register() throws SanlockException {
        Connection c = Connection.openWithDescriptor(socketPathBytes());
        try {
            c.send(Requests.headerOnly(Command.REGISTER, 0, 0, 0), Command.REGISTER);
        } catch (SanlockException e) {
            c.close();
            throw e;
        }
        return new Registration(this, c);
    }

    // ------------------------------------------------------------ lockspaces

    /**
     * ADD_LOCKSPACE. {@code ioTimeout} 0 = daemon default (10). Synchronous unless
     * {@code async}: then it returns once the join has started.
     */
    public void addLockspace(Lockspace ls, int ioTimeout, boolean async) throws SanlockException {
        simple(Requests.addLockspace(ls, ioTimeout, async ? CommandFlags.ADD_ASYNC : 0), Command.ADD_LOCKSPACE);
    }

    /** INQ_LOCKSPACE; with {@code waitWhileBusy} the daemon re-checks every second while joining/leaving. */
    public LockspaceState inqLockspace(Lockspace ls, boolean waitWhileBusy) throws SanlockException {
        try (Connection c = open()) {
            c.send(Requests.lockspaceCommand(Command.INQ_LOCKSPACE, waitWhileBusy ? CommandFlags.INQ_WAIT : 0, 0, 0, ls),
                    Command.INQ_LOCKSPACE);
            Header h = c.readHeader(Command.INQ_LOCKSPACE);
            return switch (h.result()) {
                case 0 -> LockspaceState.JOINED;
                case -115 -> LockspaceState.IN_PROGRESS;
                case -2 -> LockspaceState.ABSENT;
                default -> throw Results.failure(Command.INQ_LOCKSPACE, h.result());
            };
        }
    }

    /** REM_LOCKSPACE; {@code unused}: fail -16 if any lease uses it instead of killing holders. */
    public void remLockspace(Lockspace ls, boolean async, boolean unused) throws SanlockException {
        int flags = (async ? CommandFlags.REM_ASYNC : 0) | (unused ? CommandFlags.REM_UNUSED : 0);
        simple(Requests.lockspaceCommand(Command.REM_LOCKSPACE, flags, 0, 0, ls), Command.REM_LOCKSPACE);
    }

    /** GET_LOCKSPACES: joined, leaving, joining (flags ADD/REM mark the last two). */
    public List<Lockspace> getLockspaces() throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.headerOnly(Command.GET_LOCKSPACES, 0, 0, 0), Command.GET_LOCKSPACES);
            return Replies.readLockspaces(h, c.stream());
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.GET_LOCKSPACES, "reading");
        }
    }

    /** GET_HOSTS: every host with a non-zero delta-lease timestamp ({@code hostId} 0) or only that host. */
    public List<Host> getHosts(String lockspace, long hostId) throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.lockspaceCommand(Command.GET_HOSTS, 0, 0, 0,
                    new Lockspace(lockspace, hostId, 0, null)), Command.GET_HOSTS);
            return Replies.readGetHosts(h, c.stream());
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.GET_HOSTS, "reading");
        }
    }

    // ------------------------------------------------------------ leases of another registered process

    /** ACQUIRE for the registered process {@code pid} (e.g. {@code client acquire -p}); flags = ACQUIRE_* cmd_flags. */
    public void acquire(int pid, int cmdFlags, List<Resource> resources, Options options) throws SanlockException {
        simple(Requests.acquire(pid, cmdFlags, resources, options), Command.ACQUIRE);
    }

    /** RELEASE of the named leases of the registered process {@code pid}. */
    public void release(int pid, List<Resource> resources) throws SanlockException {
        simple(Requests.release(pid, 0, resources), Command.RELEASE);
    }

    /** RELEASE with REL_ALL: every lease of {@code pid}. */
    public void releaseAll(int pid) throws SanlockException {
        simple(Requests.release(pid, CommandFlags.REL_ALL, List.of()), Command.RELEASE);
    }

    /**
     * RELEASE with REL_ORPHAN through {@code pid}'s registration (a target is required
     * even though orphans belong to nobody): {@code resourceName} null/empty = every
     * orphan of the lockspace. Returns how many orphans were dropped.
     */
    public int releaseOrphans(int pid, String lockspace, String resourceName) throws SanlockException {
        Resource r = new Resource(lockspace, resourceName, 0, 0, 0, 0, 0, List.of());
        return simple(Requests.release(pid, CommandFlags.REL_ORPHAN, List.of(r)), Command.RELEASE).result();
    }

    /** INQUIRE of {@code pid}'s leases (-3 when the pid is not registered: libvirt's registration test). */
    public Inquiry inquire(int pid) throws SanlockException {
        try (Connection c = open()) {
            return inquireOn(c, pid);
        }
    }

    static Inquiry inquireOn(Connection c, int target) throws SanlockException {
        c.send(Requests.headerOnly(Command.INQUIRE, 0, 0, target), Command.INQUIRE);
        Header h = c.readHeader(Command.INQUIRE);
        Connection.check(h, Command.INQUIRE);
        try {
            String state = Replies.readInquire(h, c.stream());
            int count = h.data2();
            List<Resource> leases = state.isEmpty() ? List.of() : ResourceStrings.parseState(state);
            return new Inquiry(count, state, leases);
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.INQUIRE, "reading");
        }
    }

    /** CONVERT a lease of {@code pid} to the mode named by the resource's SHARED flag. */
    public void convert(int pid, Resource resource, int cmdFlags) throws SanlockException {
        simple(Requests.convert(pid, cmdFlags, resource), Command.CONVERT);
    }

    // ------------------------------------------------------------ requests and examine

    /**
     * REQUEST: ask the holder of {@code resource} to give it up. {@code forceMode} 0, 1
     * (REQ_FORCE), 2 (REQ_GRACEFUL); with {@code nextLver} the daemon uses the on-disk
     * lver + 1, else the resource's lver (LVER flag) is the wanted version.
     */
    public void request(Resource resource, int forceMode, boolean nextLver) throws SanlockException {
        simple(Requests.resourceWithDisks(Command.REQUEST, nextLver ? CommandFlags.REQUEST_NEXT_LVER : 0,
                forceMode, 0, resource), Command.REQUEST);
    }

    /** EXAMINE_RESOURCE: the holder daemon checks the resource's request record soon. */
    public void examine(Resource resource) throws SanlockException {
        simple(Requests.resourceHead(Command.EXAMINE_RESOURCE, 0, 0, 0, resource), Command.EXAMINE_RESOURCE);
    }

    /** EXAMINE_LOCKSPACE: the daemon checks the request records of every lease it holds in the lockspace. */
    public void examine(Lockspace lockspace) throws SanlockException {
        simple(Requests.lockspaceCommand(Command.EXAMINE_LOCKSPACE, 0, 0, 0, lockspace), Command.EXAMINE_LOCKSPACE);
    }

    // ------------------------------------------------------------ status streams

    /** STATUS: {@code section} 0 = everything, 1 daemon, 2 + clients, 3 + lockspaces. Records until EOF. */
    public List<StateRecord> status(int section) throws SanlockException {
        return recordStream(Requests.headerOnly(Command.STATUS, 0, section, 0), Command.STATUS).records();
    }

    /** HOST_STATUS of a lockspace (-28 when unknown): one HOST record per host ever seen. */
    public List<StateRecord> hostStatus(String lockspace) throws SanlockException {
        return recordStream(Requests.hostStatusLike(Command.HOST_STATUS, Lockspace.named(lockspace)), Command.HOST_STATUS).records();
    }

    /** RENEWAL history of a lockspace (-28 when unknown). */
    public Renewals renewal(String lockspace) throws SanlockException {
        RecordStream s = recordStream(Requests.hostStatusLike(Command.RENEWAL, Lockspace.named(lockspace)), Command.RENEWAL);
        return new Renewals(s.records().isEmpty() ? 0 : s.header().data2(), s.records());
    }

    private record RecordStream(Header header, List<StateRecord> records) {}

    private RecordStream recordStream(ByteBuffer request, Command cmd) throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(request, cmd);
            List<StateRecord> out = new ArrayList<>();
            while (true) {
                StateRecord r = StateRecord.read(c.stream());
                if (r == null) {
                    return new RecordStream(h, out);
                }
                out.add(r);
            }
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, cmd, "reading");
        }
    }

    /** LOG_DUMP: the daemon's in-memory debug log (newest 1 MiB). */
    public String logDump() throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.headerOnly(Command.LOG_DUMP, 0, 0, 0), Command.LOG_DUMP);
            return new String(Replies.readLogDump(h, c.stream()), StandardCharsets.ISO_8859_1);
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.LOG_DUMP, "reading");
        }
    }

    // ------------------------------------------------------------ daemon control

    /** VERSION: the daemon's version and socket protocol. */
    public DaemonVersion version() throws SanlockException {
        Header h = simple(Requests.headerOnly(Command.VERSION, 0, 0, 0), Command.VERSION);
        return new DaemonVersion(h.data2(), h.version());
    }

    /**
     * SHUTDOWN: no reply (the daemon closes). Without {@code force} the daemon ignores it
     * while any lockspace exists. Returns once the request is sent and the connection has
     * been closed by the daemon.
     */
    public void shutdown(boolean force) throws SanlockException {
        try (Connection c = open()) {
            c.send(Requests.headerOnly(Command.SHUTDOWN, 0, force ? 1 : 0, 0), Command.SHUTDOWN);
            try {
                c.stream().readOrEof(Header.SIZE);
            } catch (IOException e) {
                // the daemon closes without replying; any ending is fine here
            }
        }
    }

    /** SHUTDOWN_WAIT: -16 at once while lockspaces exist (without force); else returns when the daemon is exiting. */
    public void shutdownWait(boolean force) throws SanlockException {
        simple(Requests.headerOnly(Command.SHUTDOWN_WAIT, 0, force ? 1 : 0, 0), Command.SHUTDOWN_WAIT);
    }

    /** SET_CONFIG: {@code configCmd} one of CommandFlags.CONFIG_*. */
    public void setConfig(String lockspace, int configCmd) throws SanlockException {
        simple(Requests.lockspaceCommand(Command.SET_CONFIG, 0, configCmd, 0, Lockspace.named(lockspace)), Command.SET_CONFIG);
    }

    // ------------------------------------------------------------ storage done by the daemon

    /** ALIGN: the default align size in bytes for the disk (1 MiB for 512-byte sectors). */
    public long getAlignment(Disk disk) throws SanlockException {
        return simple(Requests.align(disk), Command.ALIGN).result();
    }

    /**
     * WRITE_LOCKSPACE: initialise the delta-lease area ({@code lockspace.flags} may carry
     * ALIGN/SECTOR). {@code maxHosts} is sent as libsanlock does but ignored by the daemon;
     * {@code ioTimeout} 0 = default.
     */
    public void writeLockspace(Lockspace lockspace, int maxHosts, int ioTimeout) throws SanlockException {
        simple(Requests.lockspaceCommand(Command.WRITE_LOCKSPACE, 0, maxHosts, ioTimeout, lockspace), Command.WRITE_LOCKSPACE);
    }

    /**
     * WRITE_RESOURCE: initialise a paxos lease ({@code resource.flags} may carry ALIGN/SECTOR).
     * As libsanlock: data = maxHosts (the daemon uses it as num_hosts), data2 = numHosts
     * (ignored). {@code clear} writes an invalid lease.
     */
    public void writeResource(Resource resource, int maxHosts, int numHosts, boolean clear) throws SanlockException {
        simple(Requests.resourceWithDisks(Command.WRITE_RESOURCE, clear ? CommandFlags.WRITE_CLEAR : 0, maxHosts, numHosts, resource),
                Command.WRITE_RESOURCE);
    }

    /** READ_LOCKSPACE: name optional (must match when set), host id 0 reads host 1's slot. */
    public LockspaceInfo readLockspace(Lockspace lockspace) throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.lockspaceCommand(Command.READ_LOCKSPACE, 0, 0, 0, lockspace), Command.READ_LOCKSPACE);
            return new LockspaceInfo(Replies.readLockspaceBody(h, c.stream()), h.data2());
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.READ_LOCKSPACE, "reading");
        }
    }

    /** READ_RESOURCE: names, lver and ALIGN|SECTOR flags of the lease on disk (no disks in the reply). */
    public Resource readResource(Resource resource) throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.resourceWithDisks(Command.READ_RESOURCE, 0, 0, 0, resource), Command.READ_RESOURCE);
            return Replies.readResourceBody(h, c.stream());
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.READ_RESOURCE, "reading");
        }
    }

    /** READ_RESOURCE_OWNERS: the lease and its owners (exclusive owner, or shared holders). */
    public ResourceOwners readResourceOwners(Resource resource) throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.resourceWithDisks(Command.READ_RESOURCE_OWNERS, 0, 0, 0, resource), Command.READ_RESOURCE_OWNERS);
            Replies.ResourceOwners ro = Replies.readResourceOwners(h, c.stream());
            return new ResourceOwners(ro.resource(), ro.owners());
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.READ_RESOURCE_OWNERS, "reading");
        }
    }

    // ------------------------------------------------------------ lock value blocks

    /** SET_LVB on a lease this host holds with ACQUIRE_LVB. */
    public void setLvb(Resource resource, byte[] lvb) throws SanlockException {
        simple(Requests.setLvb(resource, lvb), Command.SET_LVB);
    }

    /** GET_LVB: {@code size} bytes (0 = the lease's sector size). */
    public byte[] getLvb(Resource resource, int size) throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.resourceHead(Command.GET_LVB, 0, 0, size, resource), Command.GET_LVB);
            return Replies.readLvb(h, c.stream());
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, Command.GET_LVB, "reading");
        }
    }

    // ------------------------------------------------------------ events

    /** REG_EVENT: a channel receiving the events other hosts set for us in this lockspace. */
    public EventChannel registerEvents(String lockspace) throws SanlockException {
        return registerEvents(lockspace, 0);
    }

    /**
     * REG_EVENT with {@code cmdFlags}: {@link io.jsanlock.wire.JsanlockEvents#REG_RENEWAL_EVENTS} asks a
     * jsanlock daemon for its renewal events too (a sanlock daemon ignores the flag).
     */
    public EventChannel registerEvents(String lockspace, int cmdFlags) throws SanlockException {
        Connection c = Connection.openWithDescriptor(socketPathBytes());
        try {
            c.call(Requests.lockspaceEvent(Command.REG_EVENT, cmdFlags, Lockspace.named(lockspace), HostEvent.NONE),
                    Command.REG_EVENT);
        } catch (SanlockException e) {
            c.close();
            throw e;
        }
        return new EventChannel(this, lockspace, c);
    }

    void endEvents(String lockspace) throws SanlockException {
        simple(Requests.lockspaceCommand(Command.END_EVENT, 0, 0, 0, Lockspace.named(lockspace)), Command.END_EVENT);
    }

    /** SET_EVENT: publish an event for {@code event.hostId()} with our next renewal; flags SETEV_*. */
    public void setEvent(String lockspace, HostEvent event, int flags) throws SanlockException {
        simple(Requests.lockspaceEvent(Command.SET_EVENT, flags, Lockspace.named(lockspace), event), Command.SET_EVENT);
    }

    // ------------------------------------------------------------ resource index

    public void formatRindex(ResourceIndex rindex) throws SanlockException {
        simple(Requests.rindex(Command.FORMAT_RINDEX, 0, 0, 0, rindex), Command.FORMAT_RINDEX);
    }

    public void rebuildRindex(ResourceIndex rindex, boolean noLockspace) throws SanlockException {
        simple(Requests.rindex(Command.REBUILD_RINDEX, noLockspace ? CommandFlags.RX_NO_LOCKSPACE : 0, 0, 0, rindex),
                Command.REBUILD_RINDEX);
    }

    /** UPDATE_RINDEX with RXUP_ADD or RXUP_REM. */
    public ResourceEntry updateRindex(ResourceIndex rindex, ResourceEntry entry, int flags) throws SanlockException {
        return rentryCall(Command.UPDATE_RINDEX, flags, 0, 0, rindex, entry);
    }

    /** LOOKUP_RINDEX: by name (offset 0), by offset (empty name), or first free offset (both empty). */
    public ResourceEntry lookupRindex(ResourceIndex rindex, ResourceEntry entry, boolean noLockspace) throws SanlockException {
        return rentryCall(Command.LOOKUP_RINDEX, noLockspace ? CommandFlags.RX_NO_LOCKSPACE : 0, 0, 0, rindex, entry);
    }

    /** CREATE_RESOURCE: returns the new lease's entry (its offset). */
    public ResourceEntry createResource(ResourceIndex rindex, String name, int maxHosts, int numHosts) throws SanlockException {
        return rentryCall(Command.CREATE_RESOURCE, 0, maxHosts, numHosts, rindex, new ResourceEntry(name, 0, 0));
    }

    public ResourceEntry deleteResource(ResourceIndex rindex, ResourceEntry entry) throws SanlockException {
        return rentryCall(Command.DELETE_RESOURCE, 0, 0, 0, rindex, entry);
    }

    private ResourceEntry rentryCall(Command cmd, int flags, int data, int data2, ResourceIndex rx, ResourceEntry re)
            throws SanlockException {
        try (Connection c = open()) {
            Header h = c.call(Requests.rindexEntry(cmd, flags, data, data2, rx, re), cmd);
            return Replies.readRentry(h, c.stream());
        } catch (WireException e) {
            throw e;
        } catch (IOException e) {
            throw Connection.ioFailure(e, cmd, "reading");
        }
    }
}
