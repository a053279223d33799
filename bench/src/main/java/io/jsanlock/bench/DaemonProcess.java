package io.jsanlock.bench;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One running daemon (jsanlock's or the reference's) in its own run directory,
 * with the reference's test options ({@code -D -w 0 -l 0 -h 0 -U root -G root}:
 * no watchdog, no mlockall, debug log to RUN_DIR/daemon.log) for both, so both
 * do the same work per request.
 */
final class DaemonProcess implements AutoCloseable {
    final DaemonKind kind;
    final Path runDir;
    final long pid;
    final SanlockClient client;

    private DaemonProcess(DaemonKind kind, Path runDir, long pid) {
        this.kind = kind;
        this.runDir = runDir;
        this.pid = pid;
        this.client = new SanlockClient(runDir);
    }

    /** Where the daemons come from. */
    record Launchers(List<String> jsanlockDaemon, Path referenceStartScript) {
    }

    static DaemonProcess start(DaemonKind kind, Launchers launchers, Path runDir, String host)
            throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        long pid;
        if (kind == DaemonKind.REFERENCE) {
            String out = BenchStorage.Shell.output("bash", launchers.referenceStartScript().toString(), runDir.toString(), host);
            String[] lines = out.strip().split("\n");
            pid = Long.parseLong(lines[lines.length - 1].strip());
        } else {
            List<String> cmd = new ArrayList<>(launchers.jsanlockDaemon());
            cmd.addAll(List.of("-D", "-w", "0", "-l", "0", "-h", "0", "-U", "root", "-G", "root", "-e", host));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(runDir.resolve("daemon.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
            pid = pb.start().pid();
        }
        DaemonProcess d = new DaemonProcess(kind, runDir, pid);
        d.awaitReady();
        return d;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        SanlockException last = null;
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new IOException(kind.label + " daemon exited at start; log:\n" + log());
            }
            try {
                client.version();
                return;
            } catch (SanlockException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        close();
        throw new IOException(kind.label + " daemon did not answer within 60 s: " + last + "\n" + log());
    }

    String log() {
        try {
            return Files.readString(runDir.resolve("daemon.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && Files.exists(Path.of("/proc/" + pid));
    }

    /** VmRSS from /proc/PID/status, in MiB. */
    double rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                long kb = Long.parseLong(line.substring(6).replace("kB", "").strip());
                return kb / 1024.0;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** VmRSS, RssAnon, RssFile and Threads from /proc/PID/status, for the log (what the RSS is made of). */
    String memoryBreakdown() {
        try {
            StringBuilder b = new StringBuilder(kind.label).append(" pid ").append(pid).append(":");
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:") || line.startsWith("RssAnon:") || line.startsWith("RssFile:")
                        || line.startsWith("Threads:")) {
                    b.append(' ').append(line.replaceAll("\\s+", " "));
                }
            }
            return b.toString();
        } catch (IOException e) {
            return kind.label + ": " + e.getMessage();
        }
    }

    /** SIGKILL: the host dies (no release, no delta-lease clear). */
    void kill() throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitExit(10);
    }

    private boolean awaitExit(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!Files.exists(Path.of("/proc/" + pid)) || isZombie()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private boolean isZombie() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    /** SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() {
        try {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            if (!awaitExit(5)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
