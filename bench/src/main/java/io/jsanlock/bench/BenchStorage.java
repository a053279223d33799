package io.jsanlock.bench;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.direct.LeaseAreas;
import io.jsanlock.io.SectorStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One storage under test: a sparse lease file, or a loop block device over another
 * sparse file ({@code losetup -f --show}, detached by {@link #close()}). Both daemons
 * use the same storage, each in its own lockspace and resource areas (512/1M
 * geometry, area {@code i} at {@code i} MiB):
 *
 * <pre>
 *   area 0 / 1          main lockspaces of jsanlock / the reference
 *   area 2 / 3          takeover lockspaces
 *   area 4 / 5          takeover resources
 *   area 8 + i          resource i of jsanlock       (i < resources)
 *   area 8 + R + i      resource i of the reference
 *   area 8 + 2R + i     I/O floor scratch areas      (i < 100)
 * </pre>
 */
final class BenchStorage implements AutoCloseable {
    static final Geometry GEOMETRY = Geometry.S512_A1M;
    static final long AREA = GEOMETRY.alignSize();
    static final int FLOOR_AREAS = 100;

    final String label;
    final String path;
    final int resources;
    private final Path backingFile;
    private final boolean loop;

    private BenchStorage(String label, String path, Path backingFile, boolean loop, int resources) {
        this.label = label;
        this.path = path;
        this.backingFile = backingFile;
        this.loop = loop;
        this.resources = resources;
    }

    static long sizeFor(int resources) {
        return (8L + 2L * resources + FLOOR_AREAS) * AREA;
    }

    /** A sparse file of the needed size in {@code dir}. */
    static BenchStorage sparseFile(Path dir, int resources) throws IOException {
        Path f = dir.resolve("leases.img");
        createSparse(f, sizeFor(resources));
        return new BenchStorage("sparse file", f.toString(), f, false, resources);
    }

    /** A loop block device over a sparse file in {@code dir}. */
    static BenchStorage loopDevice(Path dir, int resources) throws IOException, InterruptedException {
        Path f = dir.resolve("loop-backing.img");
        createSparse(f, sizeFor(resources));
        String dev = Shell.output("losetup", "-f", "--show", f.toString()).strip();
        if (!dev.startsWith("/dev/loop")) {
            throw new IOException("losetup gave no device: " + dev);
        }
        return new BenchStorage("loop device", dev, f, true, resources);
    }

    private static void createSparse(Path f, long size) throws IOException {
        Files.deleteIfExists(f);
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.position(size - 1);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
    }

    static long offset(int area) {
        return area * AREA;
    }

    int lockspaceArea(DaemonKind d) {
        return d == DaemonKind.JSANLOCK ? 0 : 1;
    }

    int takeoverLockspaceArea(DaemonKind d) {
        return d == DaemonKind.JSANLOCK ? 2 : 3;
    }

    int takeoverResourceArea(DaemonKind d) {
        return d == DaemonKind.JSANLOCK ? 4 : 5;
    }

    int resourceArea(DaemonKind d, int i) {
        return 8 + (d == DaemonKind.JSANLOCK ? 0 : resources) + i;
    }

    int floorArea(int i) {
        return 8 + 2 * resources + i;
    }

    static String lockspaceName(DaemonKind d) {
        return d == DaemonKind.JSANLOCK ? "benchJ" : "benchR";
    }

    static String takeoverLockspaceName(DaemonKind d) {
        return d == DaemonKind.JSANLOCK ? "takeJ" : "takeR";
    }

    static String resourceName(int i) {
        return "r" + i;
    }

    /** Writes fresh lockspace and resource areas for both daemons and the floor's scratch areas (as direct init does). */
    void initialise() throws SanlockException {
        try (DirectFileStorage s = DirectFileStorage.open(Path.of(path), DirectFileStorage.Access.READ_WRITE)) {
            for (DaemonKind d : DaemonKind.values()) {
                LeaseAreas.initLockspace(s, offset(lockspaceArea(d)), GEOMETRY, lockspaceName(d), 0, SectorStorage.NO_TIMEOUT);
                LeaseAreas.initLockspace(s, offset(takeoverLockspaceArea(d)), GEOMETRY, takeoverLockspaceName(d), 0,
                        SectorStorage.NO_TIMEOUT);
                initResource(s, takeoverResourceArea(d), takeoverLockspaceName(d), "victim");
                for (int i = 0; i < resources; i++) {
                    initResource(s, resourceArea(d, i), lockspaceName(d), resourceName(i));
                }
            }
            for (int i = 0; i < FLOOR_AREAS; i++) {
                initResource(s, floorArea(i), "floor", resourceName(i));
            }
        }
    }

    private static void initResource(SectorStorage s, int area, String lockspace, String name) throws SanlockException {
        // num_hosts = max_hosts, as `direct init -r` without -n: each ballot reads the whole 1 MiB area.
        // The storage was created sparse (all zeros), so only the leader and request sectors need
        // writing: the rest of the image is zeros already, and 2000 MiB of zeros would cost minutes.
        Leader l = Leader.newPaxosLeader(GEOMETRY, lockspace, name, GEOMETRY.maxHosts());
        java.nio.ByteBuffer head = LeaseAreas.resourceImage(GEOMETRY, l).slice(0, 2 * GEOMETRY.sectorSize());
        s.write(offset(area), head, SectorStorage.NO_TIMEOUT);
    }

    @Override
    public void close() {
        if (loop) {
            try {
                Shell.output("losetup", "-d", path);
            } catch (IOException | InterruptedException e) {
                System.err.println("bench: could not detach " + path + ": " + e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(backingFile);
        } catch (IOException e) {
            System.err.println("bench: could not delete " + backingFile + ": " + e.getMessage());
        }
    }

    /** Small helpers for external commands. */
    static final class Shell {
        private Shell() {
        }

        /** Runs a command, returns its stdout; fails with its output when it exits non-zero or runs over 60 s. */
        static String output(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
            }
            return out;
        }
    }
}
