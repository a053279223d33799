package io.jsanlock.dist.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Two hosts sharing one lease file, for the CLI end-to-end tests: host A (id 1) and host
 * B (id 2) each run a daemon of the given kind and have joined lockspace LS (io_timeout 1).
 * Lease file {@code leases}: LS at 0, resources R at 1 MiB, R2 at 2 MiB, R3 at 3 MiB, R4
 * at 4 MiB. Host A runs a registered process holding R ({@link #holderPid}); host B runs
 * one holding R3, so host A's attempts at R3 fail with -243. A resource index file
 * {@code rindex} is formatted for LS. Everything is killed in {@link #close}.
 */
final class Lab implements AutoCloseable {
    final Path dir;
    final Path leases;
    final Path rindex;
    final Path noDaemon;
    /** Scratch storage for init/format runs, and a second lockspace's area (LS2 at 0). */
    final Path scratch;
    final Path leases2;
    final TestDaemon a;
    final TestDaemon b;
    private final List<Process> holders = new ArrayList<>();
    long holderPid;
    private byte[] pristineRindex;

    Lab(Path dir, TestDaemon.Kind kind) throws IOException {
        Run.requireReference();
        this.dir = dir;
        this.leases = dir.resolve("leases");
        this.rindex = dir.resolve("rindex");
        this.noDaemon = Files.createDirectories(dir.resolve("nodaemon"));
        size(leases, 6L << 20);
        size(rindex, 16L << 20);
        this.scratch = dir.resolve("scratch");
        this.leases2 = dir.resolve("leases2");
        size(scratch, 16L << 20);
        size(leases2, 2L << 20);
        check(Run.sanlock(null, List.of("direct", "init", "-s", "LS2:0:" + leases2 + ":0", "-o", "1")));
        check(Run.sanlock(null, List.of("direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1")));
        for (int i = 1; i <= 4; i++) {
            String name = i == 1 ? "R" : "R" + i;
            check(Run.sanlock(null, List.of("direct", "init", "-r", "LS:" + name + ":" + leases + ":" + (i << 20))));
        }
        TestDaemon da = null;
        TestDaemon db = null;
        try {
            da = TestDaemon.start(kind, dir.resolve("runA"), "hostA");
            db = TestDaemon.start(kind, dir.resolve("runB"), "hostB");
        } catch (RuntimeException | Error e) {
            if (da != null) {
                da.close();
            }
            throw e;
        }
        a = da;
        b = db;
        try {
            // On a thread of its own: CompletableFuture's default on a 2-core machine is the
            // common pool's single thread, where the two labs (built side by side) queued
            // their joins one after the other.
            CompletableFuture<Run.Result> joinB = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    joinB.complete(Run.sanlock(b.runDir, List.of("client", "add_lockspace", "-s", "LS:2:" + leases + ":0",
                            "-o", "1")));
                } catch (Throwable t) {
                    joinB.completeExceptionally(t);
                }
            });
            check(Run.sanlock(a.runDir, List.of("client", "add_lockspace", "-s", "LS:1:" + leases + ":0", "-o", "1")));
            check(joinB.join());
            // Formatted directly (storage only), so the lab does not depend on the daemon's rindex support.
            check(Run.sanlock(null, List.of("direct", "format", "-x", "LS:" + rindex + ":0")));
            pristineRindex = Files.readAllBytes(rindex);
            holderPid = hold(a.runDir, "LS:R:" + leases + ":1M");
            hold(b.runDir, "LS:R3:" + leases + ":3M");
            awaitPeerSeenLive(a.runDir);
            awaitPeerSeenLive(b.runDir);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Starts {@code sanlock client command -r res -c /bin/sleep 600} and waits until it holds res. */
    private long hold(Path runDir, String res) {
        Process p = Run.start(runDir, List.of(Run.SANLOCK.toString(), "client", "command", "-r", res, "-c", "/bin/sleep", "600"));
        holders.add(p);
        String name = res.split(":")[1];
        boolean held = Run.await(20_000, () -> Run.sanlock(runDir, List.of("client", "status")).out()
                .contains("r LS:" + name + ":" ));
        if (!held) {
            throw new AssertionError("holder of " + res + " did not get it");
        }
        return p.pid();
    }

    /**
     * A daemon reports a peer UNKNOWN until it has seen the peer's timestamp change once
     * after its first scan (algorithms.md 2.6), which can take a renewal interval after both
     * joined. Rows such as {@code client gets -h 1} run twice (reference CLI, then ours) and
     * must see the same state both times, so the lab waits until no host is UNKNOWN.
     */
    private static void awaitPeerSeenLive(Path runDir) {
        boolean settled = Run.await(30_000, () -> {
            String out = Run.sanlock(runDir, List.of("client", "gets", "-h", "1")).out();
            return out.contains("h 1 ") && out.contains("h 2 ") && !out.contains("UNKNOWN");
        });
        if (!settled) {
            throw new AssertionError("daemon at " + runDir + " still reports a host UNKNOWN: "
                    + Run.sanlock(runDir, List.of("client", "gets", "-h", "1")).out());
        }
    }

    /**
     * Puts the storage that rows write outside the lockspace back as the lab made it: the
     * scratch file all zero, the resource index as formatted. Each row then starts from the
     * same bytes, so one row that writes differently does not make every later row differ.
     */
    void resetScratchStorage() {
        try {
            Files.write(rindex, pristineRindex);
            try (RandomAccessFile raf = new RandomAccessFile(scratch.toFile(), "rw")) {
                raf.setLength(0);
                raf.setLength(16L << 20);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void check(Run.Result r) {
        if (r.exit() != 0) {
            throw new AssertionError("setup command failed: " + r);
        }
    }

    private static void size(Path f, long bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(bytes);
        }
    }

    @Override
    public void close() {
        for (Process p : holders) {
            p.destroyForcibly();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }
}
