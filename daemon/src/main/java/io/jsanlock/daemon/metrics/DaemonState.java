package io.jsanlock.daemon.metrics;

import io.jsanlock.engine.HostInfo;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.engine.ResourceLease;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the daemon looks like at one moment, for the metrics' gauges and the web view: taken on
 * demand (a scrape, a page refresh), never kept. Everything is this daemon's own view: the
 * lockspaces it joined, the other hosts as its renewal thread last read them, the leases it holds.
 *
 * @param now my monotonic second when the state was taken (the unit of every "last" second here)
 * @param connections open client connections (not counting the daemon's two internal entries)
 * @param watchdogUsed whether the daemon runs with a watchdog ({@code -w 1})
 * @param watchdogExpiries watchdog connection name → the monotonic second it fires at, while armed
 */
public record DaemonState(String hostName, long now, int connections, List<Lockspace> lockspaces, List<Holder> holders,
                          boolean watchdogUsed, Map<String, Long> watchdogExpiries) {

    /**
     * One joined (or joining / leaving) lockspace.
     *
     * @param hosts the hosts this daemon has read in it (empty while joining)
     * @param leases the resource leases this host holds in it
     * @param renewals the renewal history, oldest first (sanlock's {@code client renewal})
     * @param headroom the last renewal's headroom, empty before the join completed
     */
    public record Lockspace(LockspaceInfo info, List<HostInfo> hosts, List<ResourceLease> leases,
                            List<RenewalRecord> renewals, Optional<RenewalHeadroom.Lockspace> headroom) {
    }

    /**
     * A registered client process holding leases here.
     *
     * @param name the name it registered with (sanlock's {@code client status} name)
     * @param command its command from /proc (empty when gone or unreadable)
     * @param leases its leases as {@code LOCKSPACE:RESOURCE}
     */
    public record Holder(int pid, String name, String command, List<String> leases) {
    }
}
