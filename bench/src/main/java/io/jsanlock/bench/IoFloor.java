package io.jsanlock.bench;

import io.jsanlock.base.SanlockException;
import io.jsanlock.io.DirectFileStorage;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The I/O floor of one acquire+release of a free exclusive lease (algorithms.md
 * 3.2-3.6, 512/1M geometry, num_hosts 2000): the O_DIRECT reads and writes the
 * protocol needs, in its order, each waiting for the previous one, timed alone
 * through io's DirectFileStorage on the same device.
 *
 * <pre>
 *   acquire: read area (1 MiB: leader + dblocks)
 *            phase 1: write my dblock (1 sector), read dblocks (1 MiB)
 *            phase 2: write my dblock (1 sector), read dblocks (1 MiB)
 *            commit:  write leader (1 sector)
 *   release: write my dblock RELEASED (1 sector), read leader (1 sector), write leader (1 sector)
 * </pre>
 *
 * 4 reads (3 of 1 MiB) and 5 one-sector writes; no daemon can do fewer without
 * skipping an I/O the protocol's safety needs.
 */
final class IoFloor {
    private static final long TIMEOUT_MS = 10_000;

    private IoFloor() {
    }

    /** One pass over {@code areas} scratch areas; returns acquire+release cycles per second. */
    static double run(BenchStorage s, int areas) throws SanlockException {
        int sector = BenchStorage.GEOMETRY.sectorSize();
        int area = BenchStorage.GEOMETRY.alignSize();
        ByteBuffer big = ByteBuffer.allocateDirect(area);
        ByteBuffer one = ByteBuffer.allocateDirect(sector);
        ByteBuffer leader = ByteBuffer.allocateDirect(sector);
        int hostDblock = 2; // host 1's dblock is sector 2
        try (DirectFileStorage st = DirectFileStorage.open(Path.of(s.path), DirectFileStorage.Access.READ_WRITE)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < areas; i++) {
                long base = BenchStorage.offset(s.floorArea(i % BenchStorage.FLOOR_AREAS));
                read(st, base, big.clear());
                leader.clear().put(0, big, 0, sector);
                write(st, base + (long) hostDblock * sector, one.clear());
                read(st, base, big.clear());
                write(st, base + (long) hostDblock * sector, one.clear());
                read(st, base, big.clear());
                write(st, base, leader.clear());
                write(st, base + (long) hostDblock * sector, one.clear());
                read(st, base, one.clear());
                write(st, base, leader.clear());
            }
            return areas / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void read(DirectFileStorage st, long off, ByteBuffer b) throws SanlockException {
        st.readFully(off, b, TIMEOUT_MS);
    }

    private static void write(DirectFileStorage st, long off, ByteBuffer b) throws SanlockException {
        st.write(off, b, TIMEOUT_MS);
    }
}
