package io.jsanlock.bench;

import io.jsanlock.base.SanlockException;
import io.jsanlock.direct.LeaseAreas;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.io.SectorStorage;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lease file of the scale benchmark's daemon pass (512/1M geometry, area {@code i} at
 * {@code i} MiB of one sparse file):
 *
 * <pre>
 *   area 0 .. L-1              lockspaces ls000 ..                (host_id 1 joins each)
 *   area L + i, i < H          held resource h&lt;i&gt; in lockspace i mod L
 *   area L + H + j, j < C·K    churn resource c&lt;j&gt; in lockspace j mod L
 * </pre>
 *
 * Sparse: 10,100 areas are 10 GiB of address space but only the written sectors take blocks.
 */
final class ScaleStorage {
    static final Geometry GEOMETRY = Geometry.S512_A1M;
    static final long AREA = GEOMETRY.alignSize();

    final Path file;
    final int lockspaces;
    final int held;
    final int churn;

    ScaleStorage(Path file, int lockspaces, int held, int churn) {
        this.file = file;
        this.lockspaces = lockspaces;
        this.held = held;
        this.churn = churn;
    }

    static String lockspaceName(int l) {
        return String.format("ls%03d", l);
    }

    Lockspace lockspace(int l, long hostId) {
        return new Lockspace(lockspaceName(l), hostId, 0, new Disk(file.toString(), l * AREA));
    }

    Resource heldResource(int i) {
        return Resource.of(lockspaceName(i % lockspaces), "h" + i, file.toString(), (lockspaces + (long) i) * AREA);
    }

    Resource churnResource(int j) {
        return Resource.of(lockspaceName(j % lockspaces), "c" + j, file.toString(), (lockspaces + (long) held + j) * AREA);
    }

    /** Creates the sparse file afresh and writes every lockspace and resource area (4 writers). */
    void initialise() throws Exception {
        Files.deleteIfExists(file);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.position((lockspaces + (long) held + churn) * AREA - 1);
            ch.write(ByteBuffer.wrap(new byte[1]));
        }
        int areas = lockspaces + held + churn;
        int writers = 4;
        Workloads.forEachConcurrently(writers, writers, w -> {
            try (DirectFileStorage s = DirectFileStorage.open(file, DirectFileStorage.Access.READ_WRITE)) {
                for (int a = w; a < areas; a += writers) {
                    if (a < lockspaces) {
                        LeaseAreas.initLockspace(s, a * AREA, GEOMETRY, lockspaceName(a), 0, SectorStorage.NO_TIMEOUT);
                    } else if (a < lockspaces + held) {
                        Resource r = heldResource(a - lockspaces);
                        initResource(s, a, r.lockspace(), r.name());
                    } else {
                        Resource r = churnResource(a - lockspaces - held);
                        initResource(s, a, r.lockspace(), r.name());
                    }
                }
            }
        });
    }

    /**
     * A resource area as {@code direct init -r} without {@code -n} writes it (num_hosts = max_hosts,
     * so each ballot reads the whole 1 MiB area); only the leader and request sectors are written,
     * the rest of the sparse file is zeros already.
     */
    static void initResource(SectorStorage s, long area, String lockspace, String name) throws SanlockException {
        Leader l = Leader.newPaxosLeader(GEOMETRY, lockspace, name, GEOMETRY.maxHosts());
        ByteBuffer head = LeaseAreas.resourceImage(GEOMETRY, l).slice(0, 2 * GEOMETRY.sectorSize());
        s.write(area * AREA, head, SectorStorage.NO_TIMEOUT);
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("bench-scale: could not delete " + file + ": " + e.getMessage());
        }
    }
}
