package io.jsanlock.bench;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Registration;
import io.jsanlock.dist.LeaseDaemonProcess;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Takeover of a dead host's lease: host 1 (daemon A) holds a lease, A is killed with
 * SIGKILL (no release, no delta-lease clear), and host 2 (daemon B of the same kind)
 * retries acquiring it until it succeeds. The figure is the time from the kill to
 * B's successful acquire: the owner-dead wait of algorithms.md 3.3 (8·io_timeout +
 * 60 s after B last saw A renew), plus the renewal phase at the kill.
 */
final class Takeover {
    private Takeover() {
    }

    static double run(DaemonKind kind, BenchStorage s, LeaseDaemonProcess.Launchers launchers, Path workDir) throws Exception {
        String space = BenchStorage.takeoverLockspaceName(kind);
        Disk lsDisk = new Disk(s.path, BenchStorage.offset(s.takeoverLockspaceArea(kind)));
        Resource victim = Resource.of(space, "victim", s.path, BenchStorage.offset(s.takeoverResourceArea(kind)));
        String tag = kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + (s.label.startsWith("loop") ? "loop" : "file");
        try (DaemonProcess a = DaemonProcess.start(kind, launchers, workDir.resolve("take-a-" + tag), "host-a-" + tag);
             DaemonProcess b = DaemonProcess.start(kind, launchers, workDir.resolve("take-b-" + tag), "host-b-" + tag)) {
            Workloads.forEachConcurrently(2, 2, i -> (i == 0 ? a : b).client.addLockspace(
                    new Lockspace(space, i + 1, 0, lsDisk), Workloads.IO_TIMEOUT, false));
            Registration holder = a.client.register();
            holder.acquire(victim);
            // Let B's lockspace scan see A renewing at least once, as it would in a live cluster.
            Thread.sleep(3000);
            long t0 = System.nanoTime();
            a.kill();
            holder.close();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(300);
            try (Registration taker = b.client.register()) {
                while (true) {
                    try {
                        taker.acquire(victim);
                        double secs = (System.nanoTime() - t0) / 1e9;
                        taker.release(victim);
                        return secs;
                    } catch (SanlockException e) {
                        if (e.code() != SanlockError.ACQUIRE_IDLIVE.code() || System.nanoTime() > deadline) {
                            throw e;
                        }
                    }
                    Thread.sleep(100);
                }
            }
        }
    }
}
