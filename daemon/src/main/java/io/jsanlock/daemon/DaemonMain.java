package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockException;
import io.jsanlock.posix.Signals;

import java.io.PrintStream;

/**
 * Entry point of {@code jsanlock daemon [options]} (sanlock 3.8.5's daemon options,
 * {@link DaemonOptions}). The CLI calls {@link #run(String[], PrintStream, PrintStream)}
 * with the arguments after {@code daemon}; it returns the exit status once the daemon
 * has shut down (SHUTDOWN, SHUTDOWN_WAIT or SIGTERM).
 *
 * <p>Without {@code -D} it detaches, or tells systemd it is ready ({@link ServiceProcess});
 * it logs to the log file and syslog as sanlock ({@link ServiceLog}).
 */
public final class DaemonMain {
    private DaemonMain() {}

    /**
     * The engine-backed backend. The host name goes into delta leases, which hold at most
     * 47 bytes (ondisk.md 0), so a longer -e name is cut there as the reference cuts it.
     */
    static LeaseBackend engineBackend(DaemonContext ctx) {
        io.jsanlock.daemon.watchdog.WatchdogMonitor watchdog = ctx.options().useWatchdog()
                ? io.jsanlock.daemon.watchdog.WatchdogSetup.monitor(ctx.clock(), ctx.log()::info) : null;
        return engineBackend(ctx, watchdog, io.jsanlock.engine.RenewalObserver.NONE, io.jsanlock.engine.StorageOpener.DIRECT);
    }

    /** As above with the watchdog made by the caller (null for -w 0), one more renewal observer and the lease storage. */
    static LeaseBackend engineBackend(DaemonContext ctx, io.jsanlock.daemon.watchdog.WatchdogMonitor watchdog,
                                      io.jsanlock.engine.RenewalObserver alsoObserving, io.jsanlock.engine.StorageOpener storage) {
        String host = ctx.options().hostName();
        if (host.length() > 47) {
            host = host.substring(0, 47);
        }
        try {
            io.jsanlock.engine.LeaseEngine.Builder builder = io.jsanlock.engine.LeaseEngine.builder(host)
                    .clock(ctx.clock()).killGraceSeconds(ctx.options().graceSeconds())
                    .renewalHistorySize(ctx.options().renewalHistorySize()).storage(storage);
            // the watchdog first: it must be armed before anything else looks at a renewal
            builder.renewalObserver(watchdog == null ? alsoObserving
                    : io.jsanlock.daemon.metrics.RenewalHeadroom.both(watchdog, alsoObserving));
            return new EngineBackend(builder.build(), ctx.log());
        } catch (SanlockException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** What the backend is built from: options, log and clock of the daemon being built. */
    public record DaemonContext(DaemonOptions options, DaemonLog log, MonotonicClock clock) {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * SIGTERM, SIGINT and SIGHUP ask the daemon to stop, as sanlock 3.8.5 treats them: with
     * any lockspace joined (or being joined or left) it logs {@code ignore shutdown,
     * lockspace exists} and keeps running, so its lease holders keep running too; with
     * none it stops cleanly and exits 0.
     *
     * <p>Why {@code sun.misc.Signal} (through posix's {@link Signals}; module jdk.unsupported):
     * it replaces the JVM's own handling of these signals, which would otherwise run the
     * shutdown hooks and exit with 128+signal whatever the daemon wants. Its handler runs
     * on an ordinary Java thread that the JVM's signal dispatcher starts, so it may lock,
     * log and start threads. The alternatives are worse: a shutdown hook cannot refuse to
     * exit (it runs after the JVM has decided to), a native {@code sigaction} through FFM
     * would run Java in signal context, and blocking the signals for {@code signalfd} is
     * impossible in a JVM whose threads are created before any code of ours runs.
     *
     * <p>No shutdown hook is installed at all: whatever else ends the JVM (System.exit, an
     * Error, a fatal signal) must leave the lease holders alone, as a dying sanlock does;
     * only an explicit forced SHUTDOWN or a lockspace failure stops them.
     */
    static void installSignalHandlers(Daemon daemon) {
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                Signals.handle(name, () -> {
                    try {
                        daemon.externalShutdown();
                    } catch (RuntimeException e) {
                        // never lose a signal silently: the handler thread would just end
                        daemon.log.error("SIG" + name + " not handled: " + e);
                    }
                });
            } catch (IllegalArgumentException e) {
                // the JVM was started with -Xrs or already uses this signal: its default applies
                daemon.log.warn("cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        java.util.Map<String, String> env = System.getenv();
        SanlockConf.Result conf = SanlockConf.read(SanlockConf.path(env), DaemonOptions.defaults());
        DaemonOptions opts;
        try {
            opts = DaemonOptions.parse(conf.options(), args);
        } catch (SanlockException e) {
            out.println(e.getMessage());
            return 1;
        }
        if (ServiceProcess.shouldDetach(opts, env)) {
            return ServiceProcess.detach(err);
        }
        MonotonicClock clock = MonotonicClock.SYSTEM;
        DaemonLog log = ServiceLog.create(clock, err, opts, env);
        conf.notes().forEach(log::warn);
        String watchdog = opts.useWatchdog() ? io.jsanlock.daemon.watchdog.WatchdogSetup.startupWarning() : null;
        if (watchdog != null) {
            log.error(watchdog);
            ServiceProcess.notice(opts, env, watchdog);
        }
        LeaseBackend backend;
        DaemonObservability observability; // renewal headroom; with -M metrics and web view (docs/metrics.md)
        io.jsanlock.daemon.watchdog.WatchdogMonitor watchdogMonitor = opts.useWatchdog()
                ? io.jsanlock.daemon.watchdog.WatchdogSetup.monitor(clock, log::info) : null;
        try {
            observability = DaemonObservability.create(opts, clock, log);
            backend = engineBackend(new DaemonContext(opts, log, clock), watchdogMonitor, observability.headroom,
                    observability.storage(io.jsanlock.engine.StorageOpener.DIRECT));
        } catch (IllegalArgumentException e) {
            err.println("jsanlock daemon: " + e.getMessage());
            return 1;
        }
        Daemon daemon = new Daemon(opts, backend, log, clock);
        try {
            observability.serve(daemon, backend, watchdogMonitor);
        } catch (java.io.IOException e) {
            err.println("jsanlock daemon: metrics address " + opts.metricsAddress() + ": " + e.getMessage());
            backend.shutdown();
            return 1;
        }
        try {
            daemon.start();
        } catch (SanlockException e) {
            err.println("jsanlock daemon: " + e.getMessage());
            observability.close();
            return 1;
        }
        installSignalHandlers(daemon);
        ServiceProcess.ready(opts, env, log);
        try {
            daemon.awaitShutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.shutdown();
        }
        observability.close();
        return 0;
    }
}
