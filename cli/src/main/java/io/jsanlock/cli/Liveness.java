package io.jsanlock.cli;

import io.jsanlock.lease.Timeouts;

/**
 * What an observer that is not a member of the lockspace can prove about a host from its
 * delta lease alone (docs/cluster-map.md). A host's timestamp is written on that host's own
 * clock, so it is never compared with ours or another host's; only a change seen between
 * two of our reads means something. This is sanlock's own rule for watching other hosts
 * (algorithms.md 2.6: LIVE within 8N of the last change, DEAD after 8N+W, FAIL between,
 * UNKNOWN while never seen moving), applied to one observation window whose start is our
 * first read: times are lower bounds measured on our monotonic clock.
 */
enum Liveness {
    /** The slot's timestamp is 0: the host released its host id (or never joined). */
    FREE,
    /** Seen to change during the window, and not stalled for 8N since. */
    LIVE,
    /** Not seen to change, and not proven unchanged for more than 8N: may be live or failing. */
    UNKNOWN,
    /** Proven unchanged for more than 8N (the host's own lease is lost) but not yet 8N+W. */
    FAILING,
    /** Proven unchanged for more than 8N+W: other hosts may take its leases. */
    DEAD,
    /** The slot is not a valid delta lease of this lockspace (magic, name or checksum). */
    INVALID;

    /** Lowercase name used in the text and JSON output. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Classifies one slot.
     *
     * @param timestamp       the slot's timestamp at our last read
     * @param seenChanging    whether (owner, generation, timestamp) changed between two of our reads
     * @param unchangedMillis how long, at least, the slot has not changed: from our read that
     *                        saw the last change (or our first read) to our last read
     * @param t               the host's timeouts (its io_timeout N and W)
     */
    static Liveness classify(long timestamp, boolean seenChanging, long unchangedMillis, Timeouts t) {
        if (timestamp == 0) {
            return FREE;
        }
        if (unchangedMillis > t.hostDeadSeconds() * 1000) {
            return DEAD;
        }
        if (unchangedMillis > t.idRenewalFailSeconds() * 1000) {
            return FAILING;
        }
        return seenChanging ? LIVE : UNKNOWN;
    }
}
