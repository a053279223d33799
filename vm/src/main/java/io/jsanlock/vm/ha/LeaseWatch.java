package io.jsanlock.vm.ha;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Leader;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.vm.lock.LeaseSpec;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostState;
import io.jsanlock.wire.Lockspace;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Looks at a domain's lease for the agent: the leader record read from storage (direct
 * I/O, as {@code sanlock direct read_leader}), and the owner judged by this host's lease
 * daemon (GET_HOSTS: the daemon's view of every host's delta lease, which says DEAD once
 * host_dead_seconds passed without a renewal). Only requests both daemons answer alike are
 * used, so the agent works with the reference sanlock daemon as with jsanlock's.
 */
public final class LeaseWatch {
    /** How long one leader read may take before the lease counts as unknown this poll. */
    static final long READ_TIMEOUT_MILLIS = 10_000;

    private final SanlockClient client;

    public LeaseWatch(SanlockClient client) {
        this.client = client;
    }

    /** What the lease says now. Never throws: what cannot be seen is {@link LeaseSight.Kind#UNKNOWN}. */
    public LeaseSight look(LeaseSpec lease) {
        String ls = ByteStrings.utf8(lease.lockspace());
        Optional<Lockspace> mine;
        try {
            List<Lockspace> joined = client.getLockspaces();
            mine = joined.stream().filter(l -> l.name().equals(ls) && l.flags() == 0).findFirst();
        } catch (SanlockException e) {
            return LeaseSight.unknown("lease daemon not answering: error " + e.code());
        }
        if (mine.isEmpty()) {
            return LeaseSight.unknown("lockspace " + lease.lockspace() + " not joined here");
        }
        long myId = mine.get().hostId();
        Leader leader;
        try (DirectFileStorage s = DirectFileStorage.open(ByteStrings.utf8(lease.path()), DirectFileStorage.Access.READ_ONLY)) {
            ByteBuffer b = ByteBuffer.allocate(s.sectorSize());
            s.read(lease.offset(), b, READ_TIMEOUT_MILLIS);
            leader = Leader.decode(b, 0);
        } catch (SanlockException e) {
            return new LeaseSight(LeaseSight.Kind.UNKNOWN, 0, 0, LeaseSight.Fate.UNKNOWN, myId,
                    "cannot read lease " + lease.path() + ":" + lease.offset() + ": error " + e.code());
        }
        if (leader.magic() != DiskFormat.PAXOS_DISK_MAGIC) {
            return new LeaseSight(LeaseSight.Kind.UNKNOWN, 0, 0, LeaseSight.Fate.UNKNOWN, myId,
                    "no lease at " + lease.path() + ":" + lease.offset());
        }
        if (leader.ownerId() == 0) {
            return new LeaseSight(LeaseSight.Kind.NEVER_HELD, 0, 0, LeaseSight.Fate.UNKNOWN, myId, "");
        }
        LeaseSight.Kind kind = leader.timestamp() != 0 ? LeaseSight.Kind.HELD : LeaseSight.Kind.FREE;
        List<Host> hosts;
        try {
            hosts = client.getHosts(ls, 0);
        } catch (SanlockException e) {
            return new LeaseSight(kind, leader.ownerId(), leader.ownerGeneration(), LeaseSight.Fate.UNKNOWN, myId,
                    "hosts of " + lease.lockspace() + " unknown: error " + e.code());
        }
        return new LeaseSight(kind, leader.ownerId(), leader.ownerGeneration(),
                fate(leader.ownerId(), leader.ownerGeneration(), myId, hosts), myId, "", liveHosts(myId, hosts));
    }

    /** The host_ids the daemon sees live, this host's own included, ascending. */
    static List<Long> liveHosts(long myId, List<Host> hosts) {
        return Stream.concat(Stream.of(myId),
                        hosts.stream().filter(h -> h.state() == HostState.LIVE).map(Host::hostId))
                .distinct().sorted().toList();
    }

    /** What became of the owner instance (host_id, generation), from the daemon's host table. */
    static LeaseSight.Fate fate(long ownerId, long ownerGeneration, long myId, List<Host> hosts) {
        Host h = hosts.stream().filter(x -> x.hostId() == ownerId).findFirst().orElse(null);
        if (ownerId == myId) {
            if (h == null) {
                return LeaseSight.Fate.UNKNOWN;
            }
            return h.generation() == ownerGeneration ? LeaseSight.Fate.SELF : LeaseSight.Fate.SELF_LOST;
        }
        if (h == null) {
            return LeaseSight.Fate.UNKNOWN;
        }
        if (h.generation() > ownerGeneration) {
            return LeaseSight.Fate.REJOINED;
        }
        HostState st = h.state();
        if (st == HostState.DEAD || st == HostState.FREE) {
            return LeaseSight.Fate.DEAD;
        }
        if (st == HostState.LIVE || st == HostState.FAIL) {
            return LeaseSight.Fate.ALIVE;
        }
        return LeaseSight.Fate.UNKNOWN;
    }
}
