package io.jsanlock.lease;

import java.util.ArrayList;
import java.util.List;

/**
 * My view of every host_id slot of one lockspace, fed by the scans of the areas my
 * renewals read (algorithms.md 2.6). Liveness is judged ONLY on my monotonic clock:
 * a host is alive if its (owner, generation, timestamp) changed while I was looking,
 * dead if it has not changed for longer than its own host_dead_seconds by my clock.
 * Another host's timestamp is never compared with my clock or with another host's.
 *
 * <p>Thread-safe: the renewal thread scans, acquire threads read snapshots.
 */
public final class HostTable {
    private final long myHostId;
    private final Timeouts mine;
    private final long[] firstCheck;
    private final long[] lastCheck;
    private final long[] lastLive;
    private final long[] lastReq;
    private final long[] ownerId;
    private final long[] ownerGen;
    private final long[] timestamp;
    private final int[] ioTimeout;
    private final String[] ownerName;
    private final boolean[] leaseBad;
    private boolean scanned;

    public HostTable(int maxHosts, long myHostId, Timeouts mine) {
        this.myHostId = myHostId;
        this.mine = mine;
        firstCheck = new long[maxHosts];
        lastCheck = new long[maxHosts];
        lastLive = new long[maxHosts];
        lastReq = new long[maxHosts];
        ownerId = new long[maxHosts];
        ownerGen = new long[maxHosts];
        timestamp = new long[maxHosts];
        ioTimeout = new int[maxHosts];
        ownerName = new String[maxHosts];
        leaseBad = new boolean[maxHosts];
    }

    public int maxHosts() {
        return firstCheck.length;
    }

    /** One slot as read from disk, decoded by the caller. */
    public record SlotReading(boolean valid, long ownerId, long ownerGeneration, long timestamp,
                              int ioTimeout, String ownerName, boolean myBitSet) {}

    /**
     * Applies one slot of a scan taken at my time {@code now}. Returns true when the
     * slot changed and its bitmap asks me to look (a request or event for me, 3.8):
     * the caller decides whether to act (at most once per set_bitmap_seconds).
     */
    public synchronized boolean observe(long hostId, SlotReading r, long now) {
        int i = (int) (hostId - 1);
        lastCheck[i] = now;
        if (firstCheck[i] == 0) {
            firstCheck[i] = now;
        }
        if (r.ownerId() == ownerId[i] && r.ownerGeneration() == ownerGen[i] && r.timestamp() == timestamp[i]) {
            return false;
        }
        leaseBad[i] = !r.valid();
        if (r.valid()) {
            ownerId[i] = r.ownerId();
            ownerGen[i] = r.ownerGeneration();
            ownerName[i] = r.ownerName();
            ioTimeout[i] = r.ioTimeout();
        }
        timestamp[i] = r.timestamp();
        lastLive[i] = now;
        return hostId != myHostId && r.myBitSet();
    }

    /** Marks that a whole scan completed (get_hosts answers -11 before the first). */
    public synchronized void scanDone() {
        scanned = true;
    }

    public synchronized boolean scanned() {
        return scanned;
    }

    /** Records that I acted on a request bit from {@code hostId} at {@code now}; returns false if too soon. */
    public synchronized boolean takeRequestTurn(long hostId, long now) {
        int i = (int) (hostId - 1);
        if (lastReq[i] != 0 && now - lastReq[i] < mine.setBitmapSeconds()) {
            return false;
        }
        lastReq[i] = now;
        return true;
    }

    public synchronized HostStatus status(long hostId) {
        int i = (int) (hostId - 1);
        return new HostStatus(hostId, firstCheck[i], lastCheck[i], lastLive[i], lastReq[i], ownerId[i],
                ownerGen[i], timestamp[i], ioTimeout[i], ownerName[i], leaseBad[i]);
    }

    /** The io_timeout to judge host X with: its advertised value, else mine. */
    public Timeouts timeoutsOf(HostStatus hs) {
        return mine.forStored(hs.ioTimeout());
    }

    /** get_hosts state of {@code hostId} at my time {@code now} (2.6 table, checked in order). */
    public HostState state(long hostId, long now) {
        HostStatus hs = status(hostId);
        return state(hs, now);
    }

    public HostState state(HostStatus hs, long now) {
        if (hs.timestamp() == 0) {
            return HostState.FREE;
        }
        if (hs.hostId() == myHostId) {
            return HostState.LIVE;
        }
        Timeouts t = timeoutsOf(hs);
        long last = hs.lastLive() != 0 ? hs.lastLive() : hs.firstCheck();
        long gap = now - last;
        if (gap <= t.idRenewalFailSeconds() && hs.firstCheck() == hs.lastLive()) {
            return HostState.UNKNOWN;
        }
        if (gap <= t.idRenewalFailSeconds()) {
            return HostState.LIVE;
        }
        if (gap > t.hostDeadSeconds()) {
            return HostState.DEAD;
        }
        return HostState.FAIL;
    }

    /**
     * {@code host_live(X, gen)} used when clearing shared holders (2.6/3.7): yes unless
     * X's slot is free, shows a newer generation, or X has not moved for longer than
     * its host_dead_seconds by my clock. Missing information answers yes.
     */
    public boolean hostLive(long hostId, long generation, long now) {
        if (hostId < 1 || hostId > maxHosts()) {
            return true;
        }
        HostStatus hs = status(hostId);
        if (!hs.checked()) {
            return true;
        }
        if (hs.timestamp() == 0) {
            return false;
        }
        if (hs.ownerGeneration() > generation) {
            return false;
        }
        long dead = timeoutsOf(hs).hostDeadSeconds();
        if (hs.firstCheck() == hs.lastLive() && now - hs.firstCheck() > dead) {
            return false;
        }
        return now - hs.lastLive() <= dead;
    }

    /** Snapshots of all slots that were ever seen in use (owner or timestamp set). */
    public synchronized List<HostStatus> used() {
        List<HostStatus> out = new ArrayList<>();
        for (int i = 0; i < firstCheck.length; i++) {
            if (ownerId[i] != 0 || timestamp[i] != 0) {
                out.add(new HostStatus(i + 1, firstCheck[i], lastCheck[i], lastLive[i], lastReq[i], ownerId[i],
                        ownerGen[i], timestamp[i], ioTimeout[i], ownerName[i], leaseBad[i]));
            }
        }
        return out;
    }

    public long myHostId() {
        return myHostId;
    }

    public Timeouts mine() {
        return mine;
    }
}
