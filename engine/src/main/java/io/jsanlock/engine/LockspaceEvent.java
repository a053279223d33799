package io.jsanlock.engine;

import java.util.List;

/**
 * A change in a lockspace's renewal health, with the times (local monotonic
 * seconds) that matter for fencing.
 *
 * @param lockspace the lockspace's name
 * @param hostId my host id in it
 * @param generation my generation in it
 * @param state the state entered
 * @param lastSuccess local second of the last successful renewal (T)
 * @param killDeadline T + 8N + G: from here the reference SIGKILLs holders
 * @param resultCode the last renewal result (0 = OK, else a sanlock code)
 * @param leases the leases held in the lockspace when the event fired
 * @param at local second at which the engine detected the change
 */
public record LockspaceEvent(String lockspace, long hostId, long generation, LockspaceState state, long lastSuccess,
                             long killDeadline, int resultCode, List<ResourceLease> leases, long at) {
}
