package io.jsanlock.daemon;

import io.jsanlock.posix.Posix;
import io.jsanlock.wire.unix.UnixDatagram;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the daemon runs as a service. sanlock without -D forks into the background; a JVM
 * cannot fork (only its calling thread would survive in the child), so:
 * <ul>
 * <li>Run by systemd ({@code $NOTIFY_SOCKET} set: jsanlock.service is {@code Type=notify}),
 *     it stays in the foreground and tells systemd {@code READY=1} once its socket listens,
 *     which is also the moment sanlock's parent process exits.</li>
 * <li>Otherwise, without -D, it detaches as sanlock does: it starts itself again, in a new
 *     session ({@code setsid}) with {@code $JSANLOCK_DETACHED} set, waits until that copy
 *     says it listens (a line on its stdout) and exits 0; if the copy fails to start, the
 *     parent prints its messages and exits with its status. The detached copy then points
 *     its stdin, stdout and stderr at /dev/null.</li>
 * </ul>
 */
final class ServiceProcess {
    static final String DETACHED = "JSANLOCK_DETACHED";
    private static final String READY_LINE = "jsanlock-daemon-ready";

    private ServiceProcess() {}

    /** True when this invocation must start a detached copy of itself and wait for it. */
    static boolean shouldDetach(DaemonOptions opts, Map<String, String> env) {
        return !opts.foreground() && env.get("NOTIFY_SOCKET") == null && env.get(DETACHED) == null;
    }

    /** Starts the detached copy; returns this process's exit status once it listens (0) or failed. */
    static int detach(PrintStream err) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> cmd = info.command();
        Optional<String[]> args = info.arguments();
        if (cmd.isEmpty() || args.isEmpty()) {
            err.println("jsanlock daemon: cannot find this process's command line to detach; use -D");
            return 1;
        }
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.add(cmd.get());
        command.addAll(List.of(args.get()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put(DETACHED, "1");
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            err.println("jsanlock daemon: cannot start the detached daemon: " + e.getMessage());
            return 1;
        }
        ByteArrayOutputStream childErr = new ByteArrayOutputStream();
        Thread errReader = Thread.ofPlatform().daemon().start(() -> copy(child.getErrorStream(), childErr));
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.equals(READY_LINE)) {
                    return 0;
                }
                err.println(line);   // a start-up notice (notice()) for the operator who started it
            }
            int rc = child.waitFor();
            errReader.join(1000);
            synchronized (childErr) {
                err.print(childErr.toString(StandardCharsets.UTF_8));
            }
            return rc;
        } catch (IOException | InterruptedException e) {
            err.println("jsanlock daemon: lost the detached daemon: " + e.getMessage());
            return 1;
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        byte[] b = new byte[4096];
        try {
            for (int n; (n = in.read(b)) > 0; ) {
                synchronized (to) {
                    to.write(b, 0, n);
                }
            }
        } catch (IOException e) {
            // the parent exited: nobody reads any more
        }
    }

    /**
     * The daemon listens: tell whoever started it. Under systemd, READY=1 (with MAINPID and a
     * STATUS line) over $NOTIFY_SOCKET; as the detached copy, the ready line to the waiting
     * parent, then stdio to /dev/null.
     */
    static void ready(DaemonOptions opts, Map<String, String> env, DaemonLog log) {
        long pid = ProcessHandle.current().pid();
        String notify = env.get("NOTIFY_SOCKET");
        if (notify != null) {
            String msg = "READY=1\nMAINPID=" + pid + "\nSTATUS=listening on " + opts.runDir().resolve("sanlock.sock");
            if (!UnixDatagram.send(notify, msg.getBytes(StandardCharsets.UTF_8))) {
                log.error("cannot notify systemd through NOTIFY_SOCKET " + notify);
            }
        }
        if (env.get(DETACHED) != null && !opts.foreground()) {
            System.out.print(READY_LINE + "\n");
            System.out.flush();
            detachStdio();
        }
    }

    /**
     * A start-up warning the operator who started the daemon must see, not only the log: the
     * detached copy passes it to its waiting parent, which prints it on stderr. (With -D the
     * log's stderr has it; under systemd the log's error lines go to the journal.)
     */
    static void notice(DaemonOptions opts, Map<String, String> env, String text) {
        if (env.get(DETACHED) != null && !opts.foreground()) {
            System.out.print("jsanlock daemon: " + text + "\n");
            System.out.flush();
        }
    }

    /** dup2 of /dev/null onto 0, 1 and 2, as a daemon that forked does; the parent has exited. */
    private static void detachStdio() {
        try {
            Posix.Result fd = Posix.open("/dev/null", Posix.O_RDWR);
            if (!fd.failed()) {
                for (int target = 0; target <= 2; target++) {
                    Posix.dup2(fd.intValue(), target);
                }
            }
        } catch (RuntimeException e) {
            // stdio stays on the parent's pipes; writes to them fail quietly
        }
    }
}
