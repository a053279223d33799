package io.jsanlock.engine;

/**
 * A snapshot of one lockspace on this engine (status / renewal data).
 *
 * @param lastSuccess local second of the last successful renewal (or the join)
 * @param lastAttempt local second of the last renewal attempt
 * @param lastResult result of the last renewal attempt: 0 OK, else a sanlock code
 */
public record LockspaceInfo(String name, long hostId, String path, long offset, int ioTimeout, long generation,
                            LockspaceState state, long lastSuccess, long lastAttempt, int lastResult) {
}
