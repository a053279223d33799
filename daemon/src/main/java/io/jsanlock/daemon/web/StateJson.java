package io.jsanlock.daemon.web;

import io.jsanlock.daemon.metrics.DaemonState;
import io.jsanlock.daemon.metrics.RenewalHeadroom;
import io.jsanlock.engine.HostInfo;
import io.jsanlock.engine.LeaseMode;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.engine.ResourceLease;
import io.jsanlock.lease.Timeouts;

import java.util.List;
import java.util.Locale;

/**
 * The web view's {@code /state.json}: a {@link DaemonState} with every number the page shows
 * already computed here (ages, thresholds, headroom), so the page's script only draws. Times are
 * seconds; "age" is how long ago (on this host's clock) a host's delta lease was last seen to change.
 */
final class StateJson {
    /** Renewals drawn in the sparkline (the last ones of the history). */
    static final int SPARKLINE_RENEWALS = 60;

    private StateJson() {}

    static String of(DaemonState s, int warnPercent) {
        Json j = new Json().beginObject();
        j.member("host", s.hostName()).member("now", s.now()).member("warnPercent", warnPercent)
                .member("connections", s.connections()).member("watchdog", s.watchdogUsed());
        j.name("lockspaces").beginArray();
        for (DaemonState.Lockspace ls : s.lockspaces()) {
            lockspace(j, s.now(), ls);
        }
        j.endArray();
        j.name("holders").beginArray();
        for (DaemonState.Holder h : s.holders()) {
            j.beginObject().member("pid", h.pid()).member("name", h.name()).member("command", h.command());
            j.name("leases").beginArray();
            h.leases().forEach(j::value);
            j.endArray().endObject();
        }
        j.endArray();
        return j.endObject().toString();
    }

    private static void lockspace(Json j, long now, DaemonState.Lockspace ls) {
        LockspaceInfo info = ls.info();
        Timeouts mine = Timeouts.of(info.ioTimeout());
        j.beginObject().member("name", info.name()).member("hostId", info.hostId()).member("generation", info.generation())
                .member("ioTimeout", mine.ioTimeout()).member("state", info.state().name().toLowerCase(Locale.ROOT))
                .member("renewalAge", now - info.lastSuccess()).member("warnAt", mine.idRenewalWarnSeconds())
                .member("failAt", mine.idRenewalFailSeconds());
        if (ls.headroom().isPresent()) {
            RenewalHeadroom.Lockspace h = ls.headroom().get();
            j.member("headroom", h.headroomSeconds(now)).member("readFraction", h.readFraction())
                    .member("writeFraction", h.writeFraction()).member("slowRenewals", h.slowRenewals())
                    .member("failedRenewals", h.failedRenewals());
        }
        j.name("hosts").beginArray();
        for (HostInfo h : ls.hosts()) {
            Timeouts theirs = mine.forStored(h.ioTimeout());
            boolean self = h.hostId() == info.hostId();
            long seen = self ? info.lastSuccess() : h.lastLive();
            j.beginObject().member("hostId", h.hostId()).member("name", h.name()).member("generation", h.generation())
                    .member("state", h.state().name().toLowerCase(Locale.ROOT)).member("self", self)
                    .member("age", seen > 0 ? now - seen : -1).member("warnAt", theirs.idRenewalWarnSeconds())
                    .member("failAt", theirs.idRenewalFailSeconds()).member("deadAt", theirs.hostDeadSeconds())
                    .endObject();
        }
        j.endArray();
        j.name("resources").beginArray();
        for (ResourceLease l : ls.leases()) {
            j.beginObject().member("name", l.resource()).member("owner", l.hostId()).member("generation", l.generation())
                    .member("lver", l.lver()).member("mode", l.mode() == LeaseMode.SHARED ? "SH" : "EX").endObject();
        }
        j.endArray();
        j.name("renewals").beginArray();
        List<RenewalRecord> r = ls.renewals();
        for (RenewalRecord rec : r.subList(Math.max(0, r.size() - SPARKLINE_RENEWALS), r.size())) {
            j.beginObject().member("t", rec.timestamp()).member("readMs", rec.readMillis())
                    .member("writeMs", rec.writeMillis()).endObject();
        }
        j.endArray();
        j.endObject();
    }
}
