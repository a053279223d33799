package io.jsanlock.engine;

import org.jspecify.annotations.Nullable;

import io.jsanlock.lease.HostState;

/**
 * One host as this engine sees it in a lockspace (get_hosts / host_status).
 *
 * @param timestamp the value the host last wrote, on ITS clock (only compared with itself)
 * @param lastCheck my local second of the last scan
 * @param lastLive my local second when I last saw it change
 */
public record HostInfo(long hostId, long generation, long timestamp, int ioTimeout, HostState state, @Nullable String name,
                       long lastCheck, long lastLive) {
}
