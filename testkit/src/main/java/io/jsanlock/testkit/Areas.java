package io.jsanlock.testkit;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.direct.LeaseAreas;
import io.jsanlock.lease.LeaseStorage;
import java.nio.ByteBuffer;

/**
 * Fresh lockspace and resource areas, laid out by the io module's
 * {@link LeaseAreas} (as {@code direct init} writes them), written through any
 * {@link LeaseStorage} — test setup.
 */
public final class Areas {
    private static final long T = 10_000_000_000L;

    private Areas() {
    }

    public static void initLockspace(LeaseStorage s, long offset, Geometry g, String name, int ioTimeout)
            throws SanlockException {
        ByteBuffer area = LeaseAreas.lockspaceImage(g, name, ioTimeout);
        area.clear();
        s.write(offset, area, T);
    }

    public static void initResource(LeaseStorage s, long offset, Geometry g, String space, String res, long numHosts)
            throws SanlockException {
        ByteBuffer area = LeaseAreas.resourceImage(g,
                Leader.newPaxosLeader(g, space, res, numHosts == 0 ? g.maxHosts() : numHosts));
        area.clear();
        s.write(offset, area, T);
    }
}
