package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandClass;
import io.jsanlock.wire.EventCallback;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.WireException;
import io.jsanlock.wire.unix.UnixServerSocket;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The jsanlock daemon's socket server: sanlock 3.8.5's client protocol (wire.md) on
 * {@code RUN_DIR/sanlock.sock}.
 *
 * <p>Threads: one virtual thread accepts; each connection gets a virtual thread that
 * reads one header at a time and serves the command to completion before reading the
 * next (the reference likewise stops polling a connection while a worker serves it).
 * All socket waits park (see {@code io.jsanlock.wire.unix.Poller}), so a thousand idle
 * registered clients cost a thousand parked virtual threads and no carrier, and one
 * client's slow disk I/O never delays another's request.
 *
 * <p>A registered connection's end (EOF, reset) is the death of its process: the
 * connection's own thread sees it at once and releases the client's leases (PERSISTENT
 * ones become orphans). If a registered-class command for that client is running on
 * another connection, the release happens when that command ends (as the reference
 * defers it).
 */
public final class Daemon implements AutoCloseable {
    final DaemonOptions options;
    final LeaseBackend backend;
    /** jsanlock's EXPLAIN: why a request failed, for a client that asks (docs/explain.md). */
    final FailureReasons failureReasons = new FailureReasons();
    final DaemonLog log;
    final MonotonicClock clock;
    final ClientTable clients = new ClientTable();
    final Map<String, List<UnixSocket>> eventChannels = new ConcurrentHashMap<>();
    /** Leases of exited clients being released: `client status` lists them with REM meanwhile, as sanlock 3.8.5. */
    final List<ResourceBackend.ClientLeases> releasing = new CopyOnWriteArrayList<>();
    private final CommandHandler handler;
    /**
     * Platform threads for worker-class commands (see {@link #onCommandThread}). An idle one
     * ends after 2 s: a steady stream of commands keeps its threads (and their warm AIO
     * contexts, which are pooled process-wide anyway), while a burst of a thousand clients does
     * not leave a thousand idle threads behind for a minute, as a plain cached pool would.
     * At most {@link #COMMAND_THREADS}, 16 by default (the reference has a few worker threads
     * too; each platform thread costs the daemon RSS, docs/benchmarks.md): beyond
     * that, a command is served on its connection's virtual thread as before this pool
     * existed (its I/O then through I/O workers), so a burst of a thousand acquires, or
     * commands stuck on a hung disk, never wait for a free thread nor create a thousand.
     */
    static final int COMMAND_THREADS = Math.max(0, Integer.getInteger("jsanlock.daemon.commandThreads", 16));
    private final java.util.concurrent.ExecutorService commandThreads = new java.util.concurrent.ThreadPoolExecutor(0,
            Math.max(1, COMMAND_THREADS), 2, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
            new java.util.concurrent.ThreadFactory() {
                private final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    return Thread.ofPlatform().daemon().name("jsanlock-cmd-" + n.incrementAndGet()).unstarted(r);
                }
            });
    final Fencer fencer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Runnable> onExit = new CopyOnWriteArrayList<>();
    private RunDirectory runDirectory;
    private UnixServerSocket server;
    private Thread acceptor;
    private volatile boolean stopping;
    /** Told each command's result, each fencing action and each new event channel (metrics, renewal events). */
    volatile io.jsanlock.daemon.metrics.DaemonObserver observer = io.jsanlock.daemon.metrics.DaemonObserver.NONE;

    /** Reports to {@code o} from now on (DaemonObservability: jsanlock's renewal events, the metrics of -M). */
    public void observe(io.jsanlock.daemon.metrics.DaemonObserver o) {
        observer = o;
    }

    public Daemon(DaemonOptions options, LeaseBackend backend, DaemonLog log, MonotonicClock clock) {
        this.options = options;
        this.backend = backend;
        this.log = log;
        this.clock = clock;
        this.handler = new CommandHandler(this);
        this.fencer = new Fencer(this, clock);
        backend.onEvent(this::deliverEvent);
        backend.onTrouble(fencer);
    }

    /** Sets up the run directory (pid lock, socket) and starts accepting. -17 when another daemon runs there. */
    public void start() throws SanlockException {
        if (!options.runDir().equals(DaemonOptions.DEFAULT_RUN_DIR)) {
            log.warn("Using non-standard run directory '" + options.runDir() + "'");
        }
        runDirectory = RunDirectory.lock(options.runDir(), options.socketUser(), options.socketGroup(), log);
        try {
            server = runDirectory.bindSocket(options.socketUser(), options.socketGroup(), log);
            clients.listener().internalFd = server.fd();
        } catch (SanlockException e) {
            runDirectory.close();
            throw e;
        }
        log.warn("sanlock daemon started 3.8.5 host " + options.hostName() + " (jsanlock)");
        acceptor = Thread.ofVirtual().name("jsanlock-accept").start(this::acceptLoop);
    }

    public DaemonOptions options() {
        return options;
    }

    /** Number of client connections currently open (not counting the two internal entries). */
    public int connectionCount() {
        return clients.count();
    }

    private void acceptLoop() {
        while (!stopping) {
            UnixSocket s;
            try {
                s = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.error("accept failed: " + e.getMessage());
                continue;
            }
            Client c = clients.add(s);
            if (c == null) {
                log.error("no free connection slot (1024 in use), closing new connection");
                s.close();
                continue;
            }
            try {
                s.setPassCred(true);
            } catch (IOException e) {
                log.warn("ci " + c.ci + " setsockopt SO_PASSCRED failed: " + e.getMessage());
            }
            try {
                c.peerPid = s.peerCredentials().pid();
            } catch (IOException e) {
                // unknown: a REGISTER on it is still served, only not waited for by an acquire(pid=)
            }
            Thread.ofVirtual().name("jsanlock-ci-" + c.ci).start(() -> serve(c));
        }
    }

    private void serve(Client c) {
        boolean handedOff = false;
        try {
            while (!stopping) {
                ByteBuffer hb;
                try {
                    hb = c.socket.readOrEof(Header.SIZE);
                } catch (EOFException e) {
                    log.debug("ci " + c.ci + " fd " + c.fd() + " closed inside a header");
                    break;
                }
                if (hb == null) {
                    break;
                }
                Header h = Header.decode(hb);
                if (c.restrictedAll()) {
                    log.debug("ci " + c.ci + " restricted, ignoring cmd " + h.cmd());
                    continue;
                }
                if (failureReasons.answer(c, h)) {
                    continue;
                }
                if (!h.acceptedByDaemon()) {
                    // wire.md 1.6: silently ignored, the connection stays open.
                    log.warn("ci " + c.ci + " fd " + c.fd() + " ignore bad message " + h);
                    continue;
                }
                Command cmd = h.command();
                c.serving(cmd.number(), cmd.statusName());
                CommandHandler.Outcome out;
                c.serving = true;
                try {
                    // -Djsanlock.daemon.commandThreads=0: every command on its connection's thread (to compare)
                    out = cmd.commandClass() == CommandClass.INLINE || COMMAND_THREADS == 0 ? handler.handle(c, h)
                            : onCommandThread(c, h);
                } finally {
                    c.servedAny = true;
                    c.serving = false;
                }
                if (out == CommandHandler.Outcome.EVENT_CHANNEL || out == CommandHandler.Outcome.AWAITING_EXIT) {
                    handedOff = true;
                    return;
                }
                if (out == CommandHandler.Outcome.CLOSE && !c.registered()) {
                    break;
                }
            }
        } catch (ClosedChannelException e) {
            // closed by shutdown
        } catch (IOException e) {
            log.debug("ci " + c.ci + " connection error: " + e.getMessage());
        } catch (WireException e) {
            log.warn("ci " + c.ci + " bad input: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("ci " + c.ci + " internal error, closing connection: " + e);
        } finally {
            if (!handedOff) {
                connectionEnded(c);
            }
        }
    }

    /**
     * Runs a worker-class command (acquire, release, add_lockspace, ...: the ones that do
     * lease I/O) on a platform thread, as the reference serves them on its worker threads,
     * while the connection's virtual thread waits unmounted. Why: their lease I/O goes
     * through Linux AIO from the calling thread (DirectFileStorage), and a blocking
     * io_getevents on a virtual thread would pin its carrier; on a virtual thread that I/O
     * falls back to one hand-off to an I/O worker per read or write instead (9 per
     * acquire+release). This is one hand-off per command. The pool grows with the number of
     * commands in progress at once and its threads (and their AIO contexts) stay warm.
     */
    private CommandHandler.Outcome onCommandThread(Client c, Header h) throws IOException, WireException {
        java.util.concurrent.Future<CommandHandler.Outcome> f;
        try {
            f = commandThreads.submit(() -> handler.handle(c, h));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return handler.handle(c, h); // all busy, or shutting down: served here, as before the pool existed
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while serving " + h.command(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof WireException we) {
                throw we;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** The connection is gone: for a registered one, the process is gone. */
    void connectionEnded(Client c) {
        boolean releaseNow = c.connectionClosed();
        // The slot is freed at once (as the reference does); the leases are released after it.
        clients.remove(c);
        c.socket.close();
        if (releaseNow) {
            releaseAllOf(c, "client exit");
        }
    }

    /** Releases (or orphans) every lease of a dead client, once. */
    void releaseAllOf(Client c, String why) {
        Client.Exit exit = c.takeLeasesAtExit(releasing);
        if (exit == null) {
            return;
        }
        int pid = exit.pid();
        try {
            for (HeldLease l : exit.leases()) {
                if (l.persistent()) {
                    backend.orphan(l, pid);
                    log.info("ci " + c.ci + " pid " + pid + " " + why + ": " + l.resource().name() + " orphaned");
                    continue;
                }
                try {
                    backend.release(l);
                    log.info("ci " + c.ci + " pid " + pid + " " + why + ": released " + l.resource().lockspace() + ":" + l.resource().name());
                } catch (SanlockException e) {
                    log.error("ci " + c.ci + " pid " + pid + " " + why + ": release " + l.resource().name() + " failed " + e.code()
                            + " " + e.getMessage());
                }
            }
        } finally {
            releasing.remove(exit.listed());
        }
    }

    void registerEventChannel(String lockspace, UnixSocket s) {
        eventChannels.computeIfAbsent(lockspace, k -> new CopyOnWriteArrayList<>()).add(s);
    }

    private void deliverEvent(String lockspace, EventCallback ev) {
        List<UnixSocket> chans = eventChannels.get(lockspace);
        if (chans == null) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(EventCallback.SIZE);
        ev.encode(b);
        b.flip();
        for (UnixSocket s : chans) {
            // Never wait for a listener: one that stopped reading must not hold up the
            // others (or this thread). A full buffer drops this event for that listener,
            // as a non-blocking send does in the reference; a record cut in half would
            // desynchronise its stream, so that channel is closed.
            try {
                switch (s.trySend(b.duplicate())) { // one record per channel, from the same encoded bytes
                    case SENT -> { }
                    case WOULD_BLOCK -> log.warn("s" + lockspace + " event for fd " + s.fd()
                            + " dropped: the listener is not reading");
                    case PARTIAL -> {
                        log.warn("s" + lockspace + " event channel fd " + s.fd() + " closed: its buffer filled mid-record");
                        chans.remove(s);
                        s.close();
                    }
                }
            } catch (IOException e) {
                chans.remove(s);
                s.close();
            }
        }
    }

    /**
     * SIGTERM/SIGINT/SIGHUP (and SHUTDOWN without force): stop only when no lockspace is
     * joined, joining or leaving; otherwise log what sanlock 3.8.5 logs and keep running,
     * holders and all. Returns whether shutdown began.
     */
    public boolean externalShutdown() {
        if (!backend.lockspaces().isEmpty()) {
            log.info("ignore shutdown, lockspace exists");
            return false;
        }
        Thread.ofVirtual().name("jsanlock-shutdown").start(this::shutdown);
        return true;
    }

    /**
     * Shuts down (forced SHUTDOWN, SHUTDOWN_WAIT, or a request with no lockspace left):
     * SIGKILLs the remaining lease holders, releases every client's leases, leaves
     * lockspaces, stops. sanlock 3.8.5 logs nothing of its own here (only the kill lines).
     */
    public void shutdown() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        if (server != null) {
            server.close();
        }
        // Holders first: a lease must not be released while its process may still run.
        if (!fencer.killAllHolders(10_000)) {
            log.error("shutdown: some lease holders did not exit within 10 s; releasing their leases anyway");
        }
        List<Client> all = clients.all();
        for (Client c : all) {
            if (!c.internal) {
                releaseAllOf(c, "shutdown");
            }
        }
        eventChannels.values().forEach(l -> l.forEach(UnixSocket::close));
        backend.shutdown();
        commandThreads.shutdown(); // commands still running finish; no new ones start
        onExit.forEach(Runnable::run); // SHUTDOWN_WAIT's final reply, before its connection closes
        for (Client c : all) {
            if (!c.internal) {
                c.socket.close();
            }
        }
        if (runDirectory != null) {
            runDirectory.close();
        }
        stopped.countDown();
    }

    /** Runs {@code r} when the daemon has left everything and is about to exit (SHUTDOWN_WAIT's reply). */
    void onExit(Runnable r) {
        onExit.add(r);
    }

    boolean stopping() {
        return stopping;
    }

    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        shutdown();
    }

    static CommandClass classOf(Header h) {
        return h.command().commandClass();
    }

    static SanlockException internal(String msg) {
        return new SanlockException(SanlockError.EIO, msg);
    }
}
