package io.jsanlock.dist;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One lease daemon (one host) started for a test or a benchmark, in its own run directory:
 * {@link Kind#REFERENCE} is sanlock 3.8.5 started by shared/peer/start-daemon.sh (which
 * prints the pid last), {@link Kind#JSANLOCK} is {@code jsanlock daemon} with the same
 * options as that script gives the reference ({@code -D -w 0 -l 0 -h 0 -U root -G root -e
 * HOST}: no watchdog, no mlockall, debug log to RUN_DIR/daemon.log), so both do the same
 * work per request. Started means answering a VERSION request on its socket.
 *
 * <p>The one launcher of the end-to-end tests (dist's TestDaemon) and of bin/bench
 * (bench's DaemonProcess); it lives in dist's main code because bench runs from
 * dist's jar and dist's tests cannot depend on bench. Stopped by its pid only.
 */
public final class LeaseDaemonProcess implements AutoCloseable {
    /** Which daemon. */
    public enum Kind { REFERENCE, JSANLOCK }

    /**
     * How each kind is started: the jsanlock daemon's command line up to its options
     * (e.g. {@code bin/jsanlock daemon}) and the reference's start script.
     */
    public record Launchers(List<String> jsanlockDaemon, Path referenceStartScript) {
    }

    private final Kind kind;
    private final Path runDir;
    private final long pid;

    private LeaseDaemonProcess(Kind kind, Path runDir, long pid) {
        this.kind = kind;
        this.runDir = runDir;
        this.pid = pid;
    }

    /**
     * Starts one daemon and waits up to {@code readySeconds} for it to answer. Fails with
     * the daemon's log when it exits or does not answer in time (and kills it then).
     */
    public static LeaseDaemonProcess start(Kind kind, Launchers launchers, Path runDir, String host, int readySeconds)
            throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        long pid;
        if (kind == Kind.REFERENCE) {
            Process p = new ProcessBuilder("bash", launchers.referenceStartScript().toString(), runDir.toString(), host)
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("reference sanlock daemon did not start: exit " + p.exitValue() + "\n" + out);
            }
            String[] lines = out.strip().split("\n");
            pid = Long.parseLong(lines[lines.length - 1].strip());
        } else {
            List<String> cmd = new ArrayList<>(launchers.jsanlockDaemon());
            cmd.addAll(List.of("-D", "-w", "0", "-l", "0", "-h", "0", "-U", "root", "-G", "root", "-e", host));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(runDir.resolve("daemon.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
            pid = pb.start().pid();
        }
        LeaseDaemonProcess d = new LeaseDaemonProcess(kind, runDir, pid);
        d.awaitReady(readySeconds);
        return d;
    }

    private void awaitReady(int seconds) throws IOException, InterruptedException {
        SanlockClient client = new SanlockClient(runDir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        SanlockException last = null;
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new IOException(this + " exited at start; log:\n" + log());
            }
            try {
                client.version();
                return;
            } catch (SanlockException e) {
                last = e;
            }
            Thread.sleep(50); // nothing to wait on: the socket appears when it appears
        }
        kill();
        throw new IOException(this + " did not answer within " + seconds + " s: " + last + "\n" + log());
    }

    public Kind kind() {
        return kind;
    }

    public Path runDir() {
        return runDir;
    }

    public long pid() {
        return pid;
    }

    /** RUN_DIR/daemon.log (both kinds log there at debug level). */
    public String log() {
        try {
            return Files.readString(runDir.resolve("daemon.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Running and not a zombie. */
    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !exited();
    }

    /** SIGKILL: the host dies (no release, no delta-lease clear). Waits up to 10 s for the exit. */
    public void kill() throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        if (!awaitExit(10)) {
            throw new IllegalStateException(this + " (pid " + pid + ") did not exit within 10 s of SIGKILL");
        }
    }

    /** SIGTERM, then SIGKILL after 5 s (the reference ignores SIGTERM while it has lockspaces). */
    public void stop() throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        if (!awaitExit(5)) {
            kill();
        }
    }

    /** Killed outright: throw-away hosts on throw-away storage. */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private boolean awaitExit(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (exited()) {
                return true;
            }
            Thread.sleep(20); // a process started by a script is not our child: no onExit to await
        }
        return false;
    }

    /** Gone from /proc, or a zombie (the reference's start script has already exited: nobody reaps it at once). */
    private boolean exited() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public String toString() {
        return kind == Kind.REFERENCE ? "reference daemon" : "jsanlock daemon";
    }
}
