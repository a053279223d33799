package io.jsanlock.lease.testing;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.RequestRecord;
import io.jsanlock.lease.LeaseStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes fresh lockspace and resource areas the way {@code direct init} lays
 * them out (ondisk.md 4.1.1, 4.2.1), using the format module's codecs. For test
 * setup; the product's init lives with the tools that own it.
 */
public final class Areas {
    private Areas() {
    }

    public static void initLockspace(LeaseStorage s, long offset, Geometry g, String name, int ioTimeout)
            throws SanlockException {
        ByteBuffer area = ByteBuffer.allocate(g.alignSize()).order(ByteOrder.LITTLE_ENDIAN);
        Leader free = Leader.freeDeltaLease(g, name, ioTimeout);
        for (int i = 0; i < g.maxHosts(); i++) {
            free.encode(area, i * g.sectorSize());
        }
        area.clear();
        s.write(offset, area, 10_000_000_000L);
    }

    public static void initResource(LeaseStorage s, long offset, Geometry g, String space, String res, long numHosts)
            throws SanlockException {
        ByteBuffer area = ByteBuffer.allocate(g.alignSize()).order(ByteOrder.LITTLE_ENDIAN);
        Leader.newPaxosLeader(g, space, res, numHosts == 0 ? g.maxHosts() : numHosts).encode(area, 0);
        RequestRecord.EMPTY.encode(area, DiskFormat.PAXOS_REQUEST_SECTOR * g.sectorSize());
        area.clear();
        s.write(offset, area, 10_000_000_000L);
    }
}
