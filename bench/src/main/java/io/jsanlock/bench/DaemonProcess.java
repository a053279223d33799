package io.jsanlock.bench;

import io.jsanlock.client.SanlockClient;
import io.jsanlock.dist.LeaseDaemonProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One running daemon (jsanlock's or the reference's) for the benchmark: dist's
 * {@link LeaseDaemonProcess} (both with the reference's test options, so both do the same
 * work per request) plus the client that drives it and its memory figures.
 */
final class DaemonProcess implements AutoCloseable {
    final DaemonKind kind;
    final Path runDir;
    final long pid;
    final SanlockClient client;
    private final LeaseDaemonProcess process;

    private DaemonProcess(DaemonKind kind, LeaseDaemonProcess process) {
        this.kind = kind;
        this.process = process;
        this.runDir = process.runDir();
        this.pid = process.pid();
        this.client = new SanlockClient(runDir);
    }

    static DaemonProcess start(DaemonKind kind, LeaseDaemonProcess.Launchers launchers, Path runDir, String host)
            throws IOException, InterruptedException {
        LeaseDaemonProcess.Kind which = kind == DaemonKind.REFERENCE ? LeaseDaemonProcess.Kind.REFERENCE
                : LeaseDaemonProcess.Kind.JSANLOCK;
        return new DaemonProcess(kind, LeaseDaemonProcess.start(which, launchers, runDir, host, 60));
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
        process.kill();
    }

    /** SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() {
        try {
            process.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.close();
        }
    }
}
