package io.jsanlock.engine;

/**
 * Options of one acquire.
 *
 * @param mode exclusive or shared
 * @param requiredLver acquire only if the lease's current lver is this (0 = don't check; -240 otherwise)
 * @param ownerNoWait fail with -247 instead of waiting for a possibly dead owner
 * @param numHosts num_hosts to record in the leader at commit (0 = keep)
 * @param holder told when the lease is lost or its release is requested
 */
public record AcquireOptions(LeaseMode mode, long requiredLver, boolean ownerNoWait, long numHosts, LeaseHolder holder) {
    public AcquireOptions {
        if (mode == null) {
            mode = LeaseMode.EXCLUSIVE;
        }
        if (holder == null) {
            holder = LeaseHolder.NONE;
        }
    }

    public static AcquireOptions exclusive() {
        return new AcquireOptions(LeaseMode.EXCLUSIVE, 0, false, 0, LeaseHolder.NONE);
    }

    public static AcquireOptions shared() {
        return new AcquireOptions(LeaseMode.SHARED, 0, false, 0, LeaseHolder.NONE);
    }

    public AcquireOptions withHolder(LeaseHolder h) {
        return new AcquireOptions(mode, requiredLver, ownerNoWait, numHosts, h);
    }

    public AcquireOptions withRequiredLver(long lver) {
        return new AcquireOptions(mode, lver, ownerNoWait, numHosts, holder);
    }

    public AcquireOptions withOwnerNoWait(boolean b) {
        return new AcquireOptions(mode, requiredLver, b, numHosts, holder);
    }
}
