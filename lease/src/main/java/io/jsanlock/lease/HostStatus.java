package io.jsanlock.lease;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one host_id's bookkeeping in my lockspace table (algorithms.md 2.6).
 * All {@code *Check}/{@code lastLive}/{@code lastReq} values are MY monotonic seconds;
 * {@code timestamp} is the value the other host wrote on ITS clock and is only ever
 * compared with earlier values of itself.
 */
public record HostStatus(
        long hostId,
        long firstCheck,
        long lastCheck,
        long lastLive,
        long lastReq,
        long ownerId,
        long ownerGeneration,
        long timestamp,
        int ioTimeout,
        @Nullable String ownerName,
        boolean leaseBad) {

    /** True once at least one scan has looked at this slot. */
    public boolean checked() {
        return lastCheck != 0;
    }

    /** Seen once but never seen to change since. */
    public boolean neverSeenMoving() {
        return firstCheck == lastLive;
    }
}
