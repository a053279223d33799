package io.jsanlock.daemon;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Limits;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;
import io.jsanlock.wire.ResourceFlags;
import io.jsanlock.wire.ResourceStrings;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;
import io.jsanlock.wire.WireException;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one command on a connection: reads exactly the body the command defines
 * (never trusting {@code header.length}, except for SET_LVB and draining), does the work
 * (mostly through the {@link LeaseBackend}), and writes the reply the reference writes
 * (wire.md 2.2, 4). Bad bodies get the reference's error code as the result.
 */
final class CommandHandler {
    enum Outcome { KEEP, CLOSE, EVENT_CHANNEL }

    private final Daemon d;
    private final RindexCommands rindex;

    CommandHandler(Daemon d) {
        this.d = d;
        this.rindex = new RindexCommands(d.backend, d.log, d.clock);
    }

    Outcome handle(Client c, Header h) throws IOException, WireException {
        Command cmd = h.command();
        String name = cmd.statusName();
        c.in.reset();
        if (!c.registered) {
            synchronized (c) {
                c.name = name;
            }
        }
        try {
            return switch (cmd.commandClass()) {
                case INLINE -> inline(c, h, cmd);
                case WORKER -> {
                    worker(c, h, cmd);
                    yield Outcome.KEEP;
                }
                case REGISTERED -> {
                    registered(c, h, cmd);
                    yield Outcome.KEEP;
                }
            };
        } catch (EOFException e) {
            // body shorter than the command needs: -107 (the peer is gone, so this usually cannot be delivered)
            d.log.warn("ci " + c.ci + " " + cmd + " body cut short: " + e.getMessage());
            replyQuietly(c, Replies.result(h, SanlockError.ENOTCONN.code()));
            return Outcome.CLOSE;
        }
    }

    // ------------------------------------------------------------------ replies

    private void reply(Client c, ByteBuffer b) throws IOException {
        c.socket.writeFully(b);
    }

    private void replyQuietly(Client c, ByteBuffer b) {
        try {
            c.socket.writeFully(b);
        } catch (IOException e) {
            // the client went away
        }
    }

    /** A decode failure: reply its code and drain what is left of the request (wire.md 1.4). */
    private void rejectBody(Client c, Header h, WireException e) throws IOException {
        d.log.warn("ci " + c.ci + " " + h.command() + " rejected " + e.code() + ": " + e.getMessage());
        reply(c, Replies.result(h, e.code()));
        drain(c.socket, (h.length() & 0xFFFFFFFFL) - Header.SIZE - c.in.consumed());
    }

    /** Reads and drops up to {@code n} bytes, giving up after ~20 ms without data (as the reference). */
    static void drain(UnixSocket s, long n) throws IOException {
        byte[] b = new byte[64];
        while (n > 0) {
            int r = s.readSome(b, 0, (int) Math.min(64, n), System.nanoTime() + 20_000_000L);
            if (r <= 0) {
                return;
            }
            n -= r;
        }
    }

    // ------------------------------------------------------------------ inline commands

    private Outcome inline(Client c, Header h, Command cmd) throws IOException, WireException {
        switch (cmd) {
            case REGISTER -> {
                int pid;
                try {
                    pid = c.socket.peerCredentials().pid();
                } catch (IOException e) {
                    // wire.md 1.3: not honoured, connection closed without a reply
                    d.log.error("ci " + c.ci + " register: SO_PEERCRED failed: " + e.getMessage());
                    synchronized (c) {
                        c.registered = false;
                    }
                    return Outcome.CLOSE;
                }
                synchronized (c) {
                    if (c.registered && !c.leases.isEmpty()) {
                        // The reference drops the old token table without releasing; the leases stay held
                        // until the daemon exits. We keep that behaviour (clients depend on nothing else) and say so.
                        d.log.error("ci " + c.ci + " register again with " + c.leases.size() + " leases held; they stay held");
                    }
                    c.leases.clear();
                    c.pid = pid;
                    c.registered = true;
                    c.name = Integer.toString(pid);
                }
                d.log.info("cmd_register ci " + c.ci + " fd " + c.fd() + " pid " + pid);
                return Outcome.KEEP;
            }
            case RESTRICT -> {
                synchronized (c) {
                    c.restricted = h.cmdFlags();
                }
                d.log.info("cmd_restrict ci " + c.ci + " fd " + c.fd() + " pid " + c.pid + " flags " + Integer.toHexString(h.cmdFlags()));
                reply(c, Replies.result(h, 0));
                return Outcome.KEEP;
            }
            case VERSION -> {
                reply(c, Replies.version(h, Limits.DAEMON_VERSION));
                return Outcome.KEEP;
            }
            case SHUTDOWN -> {
                if (h.data() != 0) { // force
                    Thread.ofVirtual().start(d::shutdown);
                } else {
                    d.externalShutdown();
                }
                return Outcome.CLOSE;
            }
            case STATUS -> {
                reply(c, h.inlineReply(0).toBuffer());
                for (StateRecord r : statusRecords(h.data())) {
                    ByteBuffer b = ByteBuffer.allocate(r.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
                    r.encode(b);
                    reply(c, b.flip());
                }
                return Outcome.CLOSE;
            }
            case HOST_STATUS, RENEWAL -> {
                Lockspace ls = Requests.readLockspace(c.in);
                List<StateRecord> recs;
                int data2 = h.data2();
                try {
                    if (cmd == Command.HOST_STATUS) {
                        recs = d.backend.hostRecords(ls.name());
                    } else {
                        recs = d.backend.renewalRecords(ls.name());
                        if (!recs.isEmpty()) {
                            data2 = d.backend.ioTimeout(ls.name());
                        }
                    }
                } catch (SanlockException e) {
                    reply(c, h.inlineReply(e.code()).toBuffer());
                    return Outcome.CLOSE;
                }
                reply(c, h.inlineReply(0).withData2(data2).toBuffer());
                for (StateRecord r : recs) {
                    ByteBuffer b = ByteBuffer.allocate(r.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
                    r.encode(b);
                    reply(c, b.flip());
                }
                return Outcome.CLOSE;
            }
            case LOG_DUMP -> {
                reply(c, Replies.logDump(h, d.log.dump()));
                return Outcome.CLOSE;
            }
            case GET_LOCKSPACES -> {
                List<Lockspace> all = d.backend.lockspaces();
                int max = Limits.MAX_REPLY_BODY / Lockspace.SIZE;
                List<Lockspace> sent = all.size() > max ? all.subList(0, max) : all;
                reply(c, Replies.lockspaces(h, all.size() > max ? SanlockError.ENOSPC.code() : 0, sent, all.size()));
                return Outcome.CLOSE;
            }
            case GET_HOSTS -> {
                Lockspace ls = Requests.readLockspace(c.in);
                try {
                    reply(c, Replies.hosts(h, 0, d.backend.hosts(ls.name(), ls.hostId())));
                } catch (SanlockException e) {
                    reply(c, Replies.hosts(h, e.code(), List.of()));
                }
                return Outcome.CLOSE;
            }
            case REG_EVENT -> {
                Requests.LockspaceEvent le = Requests.readLockspaceEvent(c.in);
                int result = 0;
                if (le.lockspace().name().isEmpty()) {
                    result = SanlockError.EINVAL.code();
                } else {
                    try {
                        d.backend.checkEventLockspace(le.lockspace().name());
                        List<UnixSocket> chans = d.eventChannels.get(le.lockspace().name());
                        if (chans != null && chans.size() >= Limits.MAX_EVENT_FDS) {
                            result = -50; // ENOCSI
                        }
                    } catch (SanlockException e) {
                        result = e.code();
                    }
                }
                reply(c, h.inlineReply(result).toBuffer());
                if (result != 0) {
                    return Outcome.CLOSE;
                }
                d.registerEventChannel(le.lockspace().name(), c.socket);
                d.observer.eventChannel(le.lockspace().name(), c.socket, h.cmdFlags()); // jsanlock's renewal events
                synchronized (c) {
                    c.eventChannel = true;
                }
                d.clients.remove(c);
                return Outcome.EVENT_CHANNEL;
            }
            case END_EVENT -> {
                Lockspace ls = Requests.readLockspace(c.in);
                int result = 0;
                if (ls.name().isEmpty()) {
                    result = SanlockError.EINVAL.code();
                } else {
                    try {
                        d.backend.checkEventLockspace(ls.name());
                        endEventChannels(ls.name());
                    } catch (SanlockException e) {
                        result = e.code();
                    }
                }
                reply(c, h.inlineReply(result).toBuffer());
                return Outcome.CLOSE;
            }
            case SET_CONFIG -> {
                Lockspace ls = Requests.readLockspace(c.in);
                int result = 0;
                int v = h.data();
                if (v != CommandFlags.CONFIG_USED && v != CommandFlags.CONFIG_UNUSED
                        && v != CommandFlags.CONFIG_USED_BY_ORPHANS && v != CommandFlags.CONFIG_UNUSED_BY_ORPHANS) {
                    result = SanlockError.EINVAL.code();
                } else {
                    try {
                        d.backend.setConfig(ls.name(), v);
                    } catch (SanlockException e) {
                        result = e.code();
                    }
                }
                reply(c, h.inlineReply(result).toBuffer());
                return Outcome.CLOSE;
            }
            default -> throw new IllegalStateException("not inline: " + cmd);
        }
    }

    /** END_EVENT: drop the lockspace's channels whose client wrote the value 1, closed, or failed. */
    private void endEventChannels(String lockspace) {
        List<UnixSocket> chans = d.eventChannels.get(lockspace);
        if (chans == null) {
            return;
        }
        for (UnixSocket s : chans) {
            byte[] b = new byte[4];
            boolean drop;
            try {
                int r = s.readSome(b, 0, 4, System.nanoTime());
                drop = r < 0 || (r == 4 && ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() == 1) || r > 0;
            } catch (IOException e) {
                drop = true;
            }
            if (drop) {
                chans.remove(s);
                s.close();
            }
        }
    }

    // ------------------------------------------------------------------ status

    List<StateRecord> statusRecords(int section) {
        List<StateRecord> out = new ArrayList<>();
        out.add(daemonRecord());
        if (section == 1) {
            return out;
        }
        List<LeaseBackend.ClientLeases> holders = new ArrayList<>();
        for (Client c : d.clients.all()) {
            synchronized (c) {
                out.add(new StateRecord(StateType.CLIENT, 0, c.pid, 0, c.name, clientText(c), null, null));
                if (!c.leases.isEmpty()) {
                    holders.add(new LeaseBackend.ClientLeases(c.pid, List.copyOf(c.leases)));
                }
            }
        }
        if (section == 2) {
            return out;
        }
        out.addAll(d.backend.lockspaceRecords());
        if (section == 3) {
            return out;
        }
        out.addAll(d.backend.resourceRecords(holders));
        for (LeaseBackend.ClientLeases exited : d.releasing) {
            for (HeldLease l : exited.leases()) {
                EngineBackend.Token t = d.backend instanceof EngineBackend e ? e.tokenOf(l) : EngineBackend.Token.NONE;
                out.add(EngineBackend.resourceRecord(l, exited.pid(), "rem", new EngineBackend.Token(0, t.resId(), t.reused(), t.geometry())));
            }
        }
        return out;
    }

    /** The socket's owner (-U/-G or sanlock.conf uname/gname), shown as the reference shows it. */
    private long socketOwner(String which) {
        try {
            return ((Number) java.nio.file.Files.getAttribute(d.options.runDir().resolve("sanlock.sock"), "unix:" + which)).longValue();
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private StateRecord daemonRecord() {
        DaemonOptions o = d.options;
        String text = "our_host_name=" + o.hostName()
                + " use_watchdog=" + (o.useWatchdog() ? 1 : 0)
                + " high_priority=" + (o.highPriority() ? 1 : 0)
                + " mlock_level=" + o.mlockLevel()
                + " quiet_fail=" + (o.quietFail() ? 1 : 0)
                + " debug_renew=" + (o.debugRenew() ? 1 : 0)
                + " debug_clients=" + o.debugClients()
                + " debug_cmds=0xfffffffffe06ffff"
                + " renewal_history_size=" + o.renewalHistorySize()
                + " gid=" + socketOwner("gid") + " uid=" + socketOwner("uid")
                + " sh_retries=" + o.shRetries()
                // sanlock.conf's max_sectors_kb (ignore|align|num) as the reference reports it
                // without that key: num=1024, its built-in default (jsanlock accepts the key
                // and notes at start that it has no effect)
                + " max_sectors_kb_ignore=0 max_sectors_kb_align=0 max_sectors_kb_num=1024"
                + " max_worker_threads=" + o.maxWorkerThreads()
                + " write_init_io_timeout=" + o.writeInitIoTimeout()
                + " use_aio=" + (o.useAio() ? 1 : 0)
                + " kill_grace_seconds=" + o.graceSeconds()
                + " helper_pid=-1 helper_kill_fd=-1 helper_full_count=0 helper_last_status=0"
                + " monotime=" + d.clock.seconds()
                + " version_str=3.8.5 version_num=3.8.5 version_hex=03080500 smproto_hex=00000001";
        return new StateRecord(StateType.DAEMON, 0, 0, 0, o.hostName(), text, null, null);
    }

    private static String clientText(Client c) {
        return "ci=" + c.ci + " fd=" + c.fd() + " pid=" + c.pid + " flags=" + Integer.toHexString(c.killpathFlags)
                + " restricted=" + Integer.toHexString(c.restricted) + " cmd_active=" + (c.cmdActive ? 1 : 0)
                + " cmd_last=" + c.cmdLast + " pid_dead=" + (c.dead ? 1 : 0) + " kill_count=0 kill_last=0 suspend=0 need_free=0";
    }

    // ------------------------------------------------------------------ worker commands

    private void worker(Client c, Header h, Command cmd) throws IOException, WireException {
        BodyReader s = c.in;
        switch (cmd) {
            case ADD_LOCKSPACE, INQ_LOCKSPACE, REM_LOCKSPACE -> {
                Lockspace ls = Requests.readLockspace(s);
                int result = lockspaceCommand(cmd, h, ls);
                d.log.info("cmd_" + cmd.statusName() + " ci " + c.ci + " " + ls.name() + ":" + ls.hostId() + ":"
                        + ls.disk().path() + ":" + ls.disk().offset() + " result " + result);
                reply(c, Replies.result(h, result));
            }
            case REQUEST -> {
                Resource r;
                try {
                    r = Requests.readResourceWithDisks(s);
                } catch (WireException e) {
                    rejectBody(c, h, e);
                    return;
                }
                reply(c, Replies.result(h, run(() -> d.backend.request(r, h.data(), h.cmdFlags()))));
            }
            case EXAMINE_RESOURCE -> {
                Resource r = Requests.readResourceHead(s);
                d.backend.examine(null, r);
                reply(c, Replies.result(h, 0));
            }
            case EXAMINE_LOCKSPACE -> {
                Lockspace ls = Requests.readLockspace(s);
                d.backend.examine(ls, null);
                reply(c, Replies.result(h, 0));
            }
            case ALIGN -> {
                var disk = Requests.readDisk(s);
                int result;
                try {
                    result = (int) d.backend.align(disk);
                } catch (SanlockException e) {
                    result = e.code();
                }
                reply(c, Replies.result(h, result));
            }
            case WRITE_LOCKSPACE -> {
                Lockspace ls = Requests.readLockspace(s);
                reply(c, Replies.result(h, run(() -> d.backend.writeLockspace(ls, h.data2()))));
            }
            case WRITE_RESOURCE -> {
                Resource r;
                try {
                    r = Requests.readResourceWithDisks(s);
                } catch (WireException e) {
                    rejectBody(c, h, e);
                    return;
                }
                reply(c, Replies.result(h, run(() -> d.backend.writeResource(r, h.data(),
                        (h.cmdFlags() & CommandFlags.WRITE_CLEAR) != 0))));
            }
            case READ_LOCKSPACE -> {
                Lockspace ls = Requests.readLockspace(s);
                try {
                    LeaseBackend.LockspaceRead lr = d.backend.readLockspace(ls);
                    reply(c, Replies.readLockspace(h, 0, lr.ioTimeout(), lr.lockspace()));
                } catch (SanlockException e) {
                    reply(c, Replies.readLockspace(h, e.code(), 0, ls));
                }
            }
            case READ_RESOURCE, READ_RESOURCE_OWNERS -> {
                Resource r;
                try {
                    r = Requests.readResourceWithDisks(s);
                } catch (WireException e) {
                    rejectBody(c, h, e);
                    return;
                }
                Resource head = new Resource(r.lockspace(), r.name(), 0, 0, 0, 0, r.numDisks(), List.of());
                if (cmd == Command.READ_RESOURCE) {
                    try {
                        reply(c, Replies.readResource(h, 0, d.backend.readResource(r)));
                    } catch (SanlockException e) {
                        reply(c, Replies.readResource(h, e.code(), head));
                    }
                } else {
                    try {
                        LeaseBackend.Owners o = d.backend.readResourceOwners(r);
                        reply(c, Replies.readResourceOwners(h, 0, o.resource(), o.owners()));
                    } catch (SanlockException e) {
                        reply(c, Replies.readResourceOwners(h, e.code(), head, List.of()));
                    }
                }
            }
            case SET_LVB -> {
                Requests.SetLvb sl;
                try {
                    sl = Requests.readSetLvb(h, s);
                } catch (WireException e) {
                    rejectBody(c, h, e);
                    return;
                }
                reply(c, Replies.result(h, run(() -> d.backend.setLvb(sl.resource(), sl.lvb()))));
            }
            case GET_LVB -> {
                Resource r = Requests.readResourceHead(s);
                int size = h.data2();
                if (size < 0 || size > Limits.MAX_LVB_LEN) {
                    reply(c, Replies.lvb(h, SanlockError.E2BIG.code(), new byte[0]));
                    return;
                }
                try {
                    reply(c, Replies.lvb(h, 0, d.backend.getLvb(r, size)));
                } catch (SanlockException e) {
                    reply(c, Replies.lvb(h, e.code(), new byte[0]));
                }
            }
            case SHUTDOWN_WAIT -> {
                boolean force = h.data() != 0;
                if (!force && !d.backend.lockspaces().isEmpty()) {
                    reply(c, Replies.result(h, SanlockError.EBUSY.code()));
                    return;
                }
                d.onExit(() -> replyQuietly(c, Replies.shutdownWaitDone()));
                Thread.ofVirtual().start(d::shutdown);
            }
            case SET_EVENT -> {
                Requests.LockspaceEvent le = Requests.readLockspaceEvent(s);
                int result;
                if (le.lockspace().name().isEmpty() || le.event().hostId() == 0 && (h.cmdFlags() & CommandFlags.SETEV_ALL_HOSTS) == 0
                        || le.event().hostId() > Limits.MAX_HOSTS) {
                    result = SanlockError.EINVAL.code();
                } else {
                    result = run(() -> d.backend.setEvent(le.lockspace().name(), le.event(), h.cmdFlags()));
                }
                reply(c, Replies.result(h, result));
            }
            case FORMAT_RINDEX, REBUILD_RINDEX -> {
                ResourceIndex rx = Requests.readRindex(s);
                d.log.info("cmd_" + cmd.statusName() + " ci " + c.ci + " " + rx.lockspaceName() + " " + rx.disk().path() + ":"
                        + rx.disk().offset());
                int result = run(() -> {
                    try {
                        if (cmd == Command.FORMAT_RINDEX) {
                            rindex.format(rx);
                        } else {
                            rindex.rebuild(rx, h.cmdFlags());
                        }
                    } catch (RuntimeException e) {
                        throw unexpected(cmd, e);
                    }
                });
                d.log.info("cmd_" + cmd.statusName() + " ci " + c.ci + " done " + result);
                reply(c, Replies.result(h, result));
            }
            case UPDATE_RINDEX, LOOKUP_RINDEX, CREATE_RESOURCE, DELETE_RESOURCE -> {
                ResourceIndex rx = Requests.readRindex(s);
                ResourceEntry re = Requests.readRentry(s);
                d.log.info("cmd_" + cmd.statusName() + " ci " + c.ci + " " + rx.lockspaceName() + " " + rx.disk().path() + ":"
                        + rx.disk().offset() + " entry " + re.name() + ":" + re.offset());
                ResourceEntry out = ResourceEntry.EMPTY;
                int result = 0;
                try {
                    switch (cmd) {
                        case UPDATE_RINDEX -> out = rindex.update(rx, re, h.cmdFlags());
                        case LOOKUP_RINDEX -> out = rindex.lookup(rx, re, h.cmdFlags());
                        case CREATE_RESOURCE -> out = rindex.create(rx, re);
                        default -> rindex.delete(rx, re);
                    }
                } catch (SanlockException | RuntimeException e) {
                    SanlockException se = e instanceof SanlockException x ? x : unexpected(cmd, (RuntimeException) e);
                    result = se.code();
                    out = ResourceEntry.EMPTY;
                    d.log.info("cmd_" + cmd.statusName() + " ci " + c.ci + " " + se.getMessage());
                }
                d.log.info("cmd_" + cmd.statusName() + " ci " + c.ci + " done " + result);
                reply(c, Replies.rentry(h, result, out));
            }
            default -> throw new IllegalStateException("not a worker command: " + cmd);
        }
    }

    /** A failure nothing anticipated in an index command: logged, answered -5 (EIO) rather than dropping the connection. */
    private SanlockException unexpected(Command cmd, RuntimeException e) {
        d.log.error("cmd_" + cmd.statusName() + " failed: " + e);
        return new SanlockException(SanlockError.EIO, cmd.statusName() + " failed: " + e.getMessage());
    }

    @FunctionalInterface
    interface Op {
        void run() throws SanlockException;
    }

    private static int run(Op op) {
        try {
            op.run();
            return 0;
        } catch (SanlockException e) {
            return e.code();
        }
    }

    private int lockspaceCommand(Command cmd, Header h, Lockspace ls) {
        switch (cmd) {
            case ADD_LOCKSPACE -> {
                if (ls.name().isEmpty() || ls.hostId() == 0 || ls.disk().path().isEmpty()) {
                    return SanlockError.EINVAL.code();
                }
                return run(() -> d.backend.addLockspace(ls, h.data(), (h.cmdFlags() & CommandFlags.ADD_ASYNC) != 0));
            }
            case INQ_LOCKSPACE -> {
                int r = d.backend.inqLockspace(ls);
                while (r == SanlockError.EINPROGRESS.code() && (h.cmdFlags() & CommandFlags.INQ_WAIT) != 0 && !d.stopping()) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    r = d.backend.inqLockspace(ls);
                }
                return r;
            }
            default -> {
                boolean async = (h.cmdFlags() & CommandFlags.REM_ASYNC) != 0;
                boolean unused = (h.cmdFlags() & CommandFlags.REM_UNUSED) != 0;
                // As sanlock 3.8.5: the removal begins at the daemon's next one-second tick (until
                // then the lockspace is used as before, and a repeated request is answered 0);
                // 1. from then on no lease of the lockspace is granted, so the holders seen
                // below are all there will be; 2. they are SIGKILLed until their connections
                // closed, the lockspace still listed as joined; 3. only then is it listed as
                // leaving and the host id released — once it is free, other hosts may take
                // their leases at once (algorithms.md 4.4).
                if (rindex.busy(ls.name())) {
                    // the reference refuses to leave a lockspace while one of its index operations runs
                    return SanlockError.EBUSY.code();
                }
                CompletableFuture<Void> removal;
                synchronized (removals) {
                    boolean fresh;
                    try {
                        fresh = d.backend.requestRemoval(ls, unused);
                    } catch (SanlockException e) {
                        return e.code();
                    }
                    removal = fresh ? new CompletableFuture<>() : removals.get(ls.name());
                    if (fresh) {
                        removals.put(ls.name(), removal);
                        CompletableFuture<Void> done = removal;
                        Thread.ofVirtual().name("jsanlock-rem-" + ls.name()).start(() -> {
                            try {
                                remove(ls, unused);
                            } finally {
                                removals.remove(ls.name(), done);
                                done.complete(null);
                            }
                        });
                    }
                }
                if (async || removal == null) {
                    return 0;
                }
                removal.join();
                return d.backend.inqLockspace(ls) == SanlockError.ENOENT.code() ? 0 : SanlockError.EBUSY.code();
            }
        }
    }

    /** The removals asked for and not finished, by lockspace name. */
    private final Map<String, CompletableFuture<Void>> removals = new HashMap<>();
    /** The daemon's one-second ticks count from here (the reference's main loop). */
    private final long tickOrigin = System.nanoTime();

    private void awaitNextTick() {
        long sinceTick = (System.nanoTime() - tickOrigin) % 1_000_000_000L;
        try {
            Thread.sleep(java.time.Duration.ofNanos(1_000_000_000L - sinceTick));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void remove(Lockspace ls, boolean unused) {
        awaitNextTick();
        int begun = run(() -> d.backend.beginRemoval(ls, unused));
        if (begun != 0) {
            d.backend.listRemoval(ls.name());
            d.log.error("s" + ls.name() + " rem_lockspace failed " + begun);
            return;
        }
        boolean holdersGone = d.fencer.killForRemoval(ls.name());
        d.backend.listRemoval(ls.name());
        if (!holdersGone) {
            d.log.error("s" + ls.name() + " rem_lockspace: holders still alive, host id kept");
            return;
        }
        awaitNextTick(); // listed as leaving until the next tick, as the reference
        int r = run(() -> d.backend.completeRemoval(ls));
        if (r != 0) {
            d.log.error("s" + ls.name() + " rem_lockspace failed " + r);
        }
    }

    // ------------------------------------------------------------------ registered-class commands

    private void registered(Client c, Header h, Command cmd) throws IOException, WireException {
        Client target;
        if (h.data2() == -1) {
            target = c;
            synchronized (c) {
                if (!c.registered) {
                    d.log.warn("ci " + c.ci + " " + cmd + " on an unregistered connection");
                    reply(c, Replies.result(h, SanlockError.EBUSY.code()));
                    drain(c.socket, (h.length() & 0xFFFFFFFFL) - Header.SIZE);
                    return;
                }
            }
        } else {
            target = d.clients.awaitRegisteredByPid(h.data2(), c);
            if (target == null) {
                reply(c, Replies.result(h, SanlockError.ESRCH.code()));
                drain(c.socket, (h.length() & 0xFFFFFFFFL) - Header.SIZE);
                return;
            }
        }
        synchronized (target) {
            if (target.dead || !target.registered || target.cmdActive) {
                reply(c, Replies.result(h, SanlockError.EBUSY.code()));
                drain(c.socket, (h.length() & 0xFFFFFFFFL) - Header.SIZE);
                return;
            }
            target.cmdActive = true;
        }
        TargetCommand t = new TargetCommand(target);
        try {
            switch (cmd) {
                case ACQUIRE -> acquire(c, t, h);
                case RELEASE -> release(c, t, h);
                case INQUIRE -> inquire(c, t, h);
                case CONVERT -> convert(c, t, h);
                case KILLPATH -> killpath(c, t, h);
                default -> throw new IllegalStateException("not a registered command: " + cmd);
            }
        } finally {
            t.end();
        }
    }

    /**
     * A registered-class command running for {@code target}. It ends (the target takes its
     * next command, and a target that died meanwhile has its leases released) before the
     * reply goes out, as in sanlock 3.8.5: a client that sends its next command the moment
     * it has the reply (release by pid, then acquire on the registered fd) must not find
     * the target still busy (-16).
     */
    private final class TargetCommand {
        final Client target;
        private boolean ended;

        TargetCommand(Client target) {
            this.target = target;
        }

        void end() {
            if (ended) {
                return;
            }
            ended = true;
            boolean cleanup;
            synchronized (target) {
                target.cmdActive = false;
                cleanup = target.dead;
            }
            if (cleanup) {
                d.releaseAllOf(target, "client exit (deferred)");
            }
        }

        void reply(Client c, ByteBuffer b) throws IOException {
            end();
            CommandHandler.this.reply(c, b);
        }
    }

    private void acquire(Client c, TargetCommand t, Header h) throws IOException, WireException {
        Client target = t.target;
        Requests.Acquire a;
        try {
            a = Requests.readAcquire(h, c.in);
        } catch (WireException e) {
            t.end();
            rejectBody(c, h, e);
            return;
        }
        String who = target.ci + "," + target.fd() + "," + target.pid;
        d.log.info("cmd_acquire " + who + " ci_in " + c.ci + " fd " + c.fd() + " count " + a.resources().size()
                + " flags " + h.cmdFlags());
        List<HeldLease> got = new ArrayList<>();
        int result = 0;
        int tokenId = d.backend.takeTokenIds(a.resources().size());
        for (Resource r : a.resources()) {
            int thisToken = tokenId == 0 ? 0 : tokenId++;
            boolean dup;
            synchronized (target) {
                dup = target.leases.stream().anyMatch(l -> l.sameName(r));
            }
            if (dup) {
                result = SanlockError.EEXIST.code();
                break;
            }
            try {
                got.add(d.backend.acquire(r, h.cmdFlags(), target.pid, thisToken));
            } catch (SanlockException e) {
                result = e.code();
                d.log.info("cmd_acquire " + who + " " + r.lockspace() + ":" + r.name() + " acquire_token " + result + " "
                        + e.getMessage());
                break;
            }
        }
        boolean dead;
        synchronized (target) {
            dead = target.dead;
            if (result == 0 && !dead) {
                target.leases.addAll(got);
                target.name = a.options().ownerName();
            }
        }
        if (result == 0 && !dead) {
            // Recorded first, checked second: the fencing of a lost lockspace, a rem_lockspace
            // and a shutdown each mark the leases dropped (or set stopping) before they look
            // for holders. So either they see this client among the holders and stop it, or
            // this check sees the lease dropped and the client is never told it holds it.
            boolean dropped = d.stopping() || got.stream().anyMatch(l -> !d.backend.isHeld(l));
            if (dropped) {
                synchronized (target) {
                    target.leases.removeAll(got);
                }
                result = SanlockError.ENOSPC.code();
                d.log.info("cmd_acquire " + who + " lockspace lost or left as the lease was granted");
            }
        }
        if (result != 0 || dead) {
            for (HeldLease l : got) {
                try {
                    d.backend.release(l);
                } catch (SanlockException e) {
                    d.log.error("cmd_acquire " + who + " undo of " + l.resource().name() + " failed " + e.code());
                }
            }
            if (result == 0) {
                result = SanlockError.ENOTTY.code();
            }
        }
        d.log.info("cmd_acquire " + who + " result " + result + " pid_dead " + (dead ? 1 : 0));
        d.observer.acquired(result, a.resources().size()); // metrics (daemon -M)
        t.reply(c, Replies.result(h, result));
    }

    private void release(Client c, TargetCommand t, Header h) throws IOException, WireException {
        Client target = t.target;
        List<Resource> names;
        try {
            names = Requests.readRelease(h, c.in);
        } catch (WireException e) {
            t.end();
            rejectBody(c, h, e);
            return;
        }
        int result = 0;
        if ((h.cmdFlags() & CommandFlags.REL_ORPHAN) != 0) {
            Resource r = names.isEmpty() ? new Resource("", "", 0, 0, 0, 0, 0, List.of()) : names.get(0);
            try {
                result = d.backend.releaseOrphans(r.lockspace(), r.name());
            } catch (SanlockException e) {
                result = e.code();
            }
            t.reply(c, Replies.result(h, result));
            return;
        }
        // REL_RENAME: the second entry is not a lease but the name the first one gets on disk.
        String newName = null;
        if ((h.cmdFlags() & CommandFlags.REL_RENAME) != 0 && (h.cmdFlags() & CommandFlags.REL_ALL) == 0 && names.size() == 2) {
            newName = names.get(1).name();
            names = names.subList(0, 1);
        }
        List<HeldLease> toRelease = new ArrayList<>();
        synchronized (target) {
            if ((h.cmdFlags() & CommandFlags.REL_ALL) != 0) {
                toRelease.addAll(target.leases);
                target.leases.clear();
            } else {
                for (Resource r : names) {
                    HeldLease found = null;
                    for (HeldLease l : target.leases) {
                        if (l.sameName(r)) {
                            found = l;
                            break;
                        }
                    }
                    if (found == null) {
                        result = SanlockError.EPERM.code();
                    } else {
                        target.leases.remove(found);
                        toRelease.add(found);
                    }
                }
            }
        }
        for (HeldLease l : toRelease) {
            try {
                if (newName != null) {
                    d.backend.releaseRenaming(l, newName);
                } else {
                    d.backend.release(l);
                }
            } catch (SanlockException e) {
                result = e.code();
            }
        }
        d.log.info("cmd_release " + target.ci + "," + target.fd() + "," + target.pid + " ci_in " + c.ci + " count "
                + toRelease.size() + " flags " + h.cmdFlags() + " result " + result);
        d.observer.released(result); // metrics (daemon -M)
        t.reply(c, Replies.result(h, result));
    }

    private void inquire(Client c, TargetCommand t, Header h) throws IOException {
        Client target = t.target;
        List<HeldLease> leases;
        synchronized (target) {
            leases = List.copyOf(target.leases);
        }
        int result = 0;
        StringBuilder sb = new StringBuilder();
        for (HeldLease l : leases) {
            String one = ResourceStrings.toState(l.forState());
            if (one.length() > Limits.MAX_RESOURCE_STATE_LEN) {
                result = -80; // ELIBBAD
                break;
            }
            if (one.contains(" ")) {
                result = -81; // ELIBSCN: the reference refuses a state with a space
                break;
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(one);
        }
        t.reply(c, Replies.inquire(h, result, leases.size(), result == 0 ? sb.toString() : null));
    }

    private void convert(Client c, TargetCommand t, Header h) throws IOException, WireException {
        Client target = t.target;
        Resource r = Requests.readResourceHead(c.in);
        boolean toShared = (r.flags() & ResourceFlags.SHARED) != 0;
        HeldLease held;
        synchronized (target) {
            held = target.leases.stream().filter(l -> l.sameName(r)).findFirst().orElse(null);
        }
        int result;
        if (held == null) {
            result = SanlockError.ENOENT.code();
        } else if (held.shared() == toShared) {
            result = SanlockError.EALREADY.code();
        } else {
            try {
                HeldLease now = d.backend.convert(held, toShared, h.cmdFlags());
                synchronized (target) {
                    int i = target.leases.indexOf(held);
                    if (i >= 0) {
                        target.leases.set(i, now);
                    }
                }
                result = 0;
            } catch (SanlockException e) {
                result = e.code();
            }
        }
        t.reply(c, Replies.result(h, result));
    }

    private void killpath(Client c, TargetCommand t, Header h) throws IOException, WireException {
        Client target = t.target;
        Requests.Killpath k = Requests.readKillpath(c.in);
        synchronized (target) {
            target.killpath = k.path();
            target.killargs = k.args();
            target.killpathFlags = h.cmdFlags();
        }
        d.log.info("cmd_killpath ci " + target.ci + " pid " + target.pid + " path " + k.path() + " args " + k.args());
        t.reply(c, Replies.result(h, 0));
    }
}
