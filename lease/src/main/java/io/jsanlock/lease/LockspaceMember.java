package io.jsanlock.lease;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Leader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * My membership of one lockspace: my delta lease plus my table of the other
 * hosts, kept current by scanning every area my renewals read. It is the
 * {@link OwnerView} the paxos layer consults for leases of this lockspace.
 *
 * <p>Renewals and the host scan run on the lockspace's own thread; the
 * {@link OwnerView} methods may be called from any acquire thread (each read of
 * an owner's slot uses its own buffer, so acquires never share I/O state with
 * the renewal thread or with each other).
 */
public final class LockspaceMember implements OwnerView {
    private final DeltaLease delta;
    private final HostTable table;
    private final io.jsanlock.base.MonotonicClock clock;
    private volatile boolean leaving;

    public LockspaceMember(DeltaLease delta, io.jsanlock.base.MonotonicClock clock) {
        this.delta = delta;
        this.clock = clock;
        this.table = new HostTable(delta.geometry().maxHosts(), delta.hostId(), delta.timeouts());
    }

    /** Marks the lockspace as being left: waiting acquires give up (see {@link OwnerView#leaving()}). */
    public void leave() {
        leaving = true;
    }

    @Override
    public boolean leaving() {
        return leaving;
    }

    public DeltaLease delta() {
        return delta;
    }

    public HostTable table() {
        return table;
    }

    /**
     * One renewal with the host scan; returns the timestamp written and passes the
     * hosts whose bitmap asks me to look to {@code requests}.
     */
    public long renew(byte @Nullable [] bitmap, long @Nullable [] event, java.util.function.Consumer<List<AreaScan.Notice>> requests)
            throws SanlockException {
        return delta.renew(bitmap, event, (area, now) -> {
            List<AreaScan.Notice> notify = AreaScan.scanNotices(area, delta.geometry(), delta.spaceName(), table, now);
            if (!notify.isEmpty() && requests != null) {
                requests.accept(notify);
            }
        });
    }

    @Override
    public HostStatus hostStatus(long hostId) {
        if (hostId < 1 || hostId > table.maxHosts()) {
            // a leader naming an impossible owner: nothing known about it (never "fresh")
            return new HostStatus(hostId, 0, 0, 0, 0, 0, 0, 0, 0, null, true);
        }
        return table.status(hostId);
    }

    @Override
    public Leader readHostSlot(long hostId) throws SanlockException {
        ByteBuffer buf = ByteBuffer.allocate(delta.geometry().sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
        return delta.readSlot(hostId, buf);
    }

    @Override
    public boolean hostLive(long hostId, long generation, long now) {
        return table.hostLive(hostId, generation, now);
    }

    @Override
    public Timeouts myTimeouts() {
        return delta.timeouts();
    }

    /** get_hosts state of a host now. */
    public HostState state(long hostId) {
        return table.state(hostId, clock.seconds());
    }
}
