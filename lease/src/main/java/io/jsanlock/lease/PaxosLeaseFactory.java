package io.jsanlock.lease;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.Geometry;
import java.util.random.RandomGenerator;

/**
 * Makes the {@link PaxosLease} of one resource area: the parts every lease of a host shares
 * (its clock, log, the random source of ballot retry delays, the buffer pool of area reads)
 * are given once here, so a caller names only what differs between leases — where the area
 * is and whose it is.
 */
public final class PaxosLeaseFactory {
    private final MonotonicClock clock;
    private final LogRing log;
    private final RandomGenerator random;
    private final BufferPool pool;

    public PaxosLeaseFactory(MonotonicClock clock, LogRing log, RandomGenerator random, BufferPool pool) {
        this.clock = clock;
        this.log = log;
        this.random = random;
        this.pool = pool;
    }

    /**
     * The lease at {@code offset} of {@code disk}, named {@code space:resource}; {@code geometry}
     * is the lockspace's sector/align sizes, the starting guess until the leader is read.
     */
    public PaxosLease open(LeaseStorage disk, long offset, Geometry geometry, String space, String resource) {
        return new PaxosLease(disk, offset, geometry, space, resource, clock, log, random, pool);
    }
}
