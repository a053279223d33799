package io.jsanlock.vm.ha;

import java.util.List;

/**
 * What an agent sees of a domain's lease: the leader record on storage (who owns it, or who
 * owned it last) and the owner's fate judged from this host's lease daemon's view of the
 * lockspace's delta leases.
 *
 * @param kind            held (timestamp set), free (released), never held, or unknown
 * @param ownerId         host_id of the owner (last owner when free); 0 when never held
 * @param ownerGeneration that owner's lockspace generation when it acquired the lease
 * @param fate            what became of that owner instance
 * @param myHostId        this host's host_id in the lease's lockspace (0 when not joined)
 * @param detail          why the kind or fate is unknown, for the log
 * @param liveHosts       host_ids this host's daemon sees live in that lockspace, ascending,
 *                        this host included; empty when not known (placement turns, docs/ha.md)
 */
public record LeaseSight(Kind kind, long ownerId, long ownerGeneration, Fate fate, long myHostId, String detail,
        List<Long> liveHosts) {
    public enum Kind { HELD, FREE, NEVER_HELD, UNKNOWN }

    /** The fate of the owner instance (host_id, generation). */
    public enum Fate {
        /** this host, this generation */
        SELF,
        /** this host, an older generation: this host lost the lockspace instance that held it */
        SELF_LOST,
        /** another host still renewing with that generation */
        ALIVE,
        /** its delta lease expired (host_dead_seconds without renewal) or was released */
        DEAD,
        /** it renews again, with a newer generation: the instance that held the lease is gone */
        REJOINED,
        /** not judged yet (the daemon has not watched it long enough), or no owner */
        UNKNOWN
    }

    public LeaseSight {
        liveHosts = List.copyOf(liveHosts);
    }

    /** A sight without the lockspace's live hosts (placement then has no turns). */
    public LeaseSight(Kind kind, long ownerId, long ownerGeneration, Fate fate, long myHostId, String detail) {
        this(kind, ownerId, ownerGeneration, fate, myHostId, detail, List.of());
    }

    public static LeaseSight unknown(String detail) {
        return new LeaseSight(Kind.UNKNOWN, 0, 0, Fate.UNKNOWN, 0, detail);
    }

    /** The owner instance can no longer run the domain: sanlock lets another host take the lease over. */
    public boolean ownerGone() {
        return fate == Fate.DEAD || fate == Fate.REJOINED || fate == Fate.SELF_LOST;
    }
}
