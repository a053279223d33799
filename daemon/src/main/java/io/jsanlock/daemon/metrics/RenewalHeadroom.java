package io.jsanlock.daemon.metrics;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.engine.RenewalObserver;
import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.Timeouts;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Renewal headroom, the number that predicts fencing: per lockspace, the seconds left before
 * this host's lease holders are killed — {@link Timeouts#watchdogExpiry}{@code (last_success) − now},
 * that is {@code 8·io_timeout − (now − last_success)} — and how much of its io_timeout the last
 * renewal's read and write each used.
 *
 * <p>A renewal whose read or write took more than {@code warnPercent} of io_timeout (sanlock.conf
 * {@code renewal_warn_percent}, default 50) is logged at warning level, one line in sanlock's
 * style. Why the larger of the two I/Os and not their sum: each of them is given io_timeout on its
 * own before it fails with -202, so the one closest to its own timeout is what predicts the next
 * failed renewal. sanlock 3.8.5 warns only at 6·io_timeout without a renewal ({@code
 * check_our_lease warning}), two io_timeouts before the kill; this warns on the first slow renewal.
 *
 * <p>Always installed (it costs a map entry per lockspace); the metrics, when enabled, listen to it.
 */
public final class RenewalHeadroom implements RenewalObserver {
    /** The default of {@code renewal_warn_percent}. */
    public static final int DEFAULT_WARN_PERCENT = 50;

    /** What metrics want of each renewal; called on the lockspace's renewal thread, so quick. */
    public interface Listener {
        /** A renewal succeeded; {@code slow} when it used more than the warning share of io_timeout. */
        default void renewed(String lockspace, Timeouts timeouts, RenewalRecord record, boolean slow) {
        }

        /** A renewal attempt failed with sanlock code {@code result}. */
        default void failed(String lockspace, int result) {
        }
    }

    /**
     * One lockspace as last seen.
     *
     * @param lastSuccess my monotonic second of the join or last successful renewal
     * @param readMillis the last renewal's read (0 for the join)
     * @param writeMillis the last renewal's write (0 for the join)
     * @param slowRenewals renewals above the warning share so far
     * @param failedRenewals failed renewal attempts so far
     */
    public record Lockspace(String name, long hostId, Timeouts timeouts, long lastSuccess, long readMillis,
                            long writeMillis, long slowRenewals, long failedRenewals) {
        /** Seconds left at {@code now} before local recovery kills the holders (negative: past it). */
        public long headroomSeconds(long now) {
            return timeouts.watchdogExpiry(lastSuccess) - now;
        }

        /** The last renewal's read time as a fraction of io_timeout. */
        public double readFraction() {
            return fraction(readMillis, timeouts);
        }

        /** The last renewal's write time as a fraction of io_timeout. */
        public double writeFraction() {
            return fraction(writeMillis, timeouts);
        }
    }

    private final int warnPercent;
    private final MonotonicClock clock;
    private final Consumer<String> warn;
    private final Map<String, Lockspace> lockspaces = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** {@code warn} gets the warning lines (the daemon log's warning level). */
    public RenewalHeadroom(int warnPercent, MonotonicClock clock, Consumer<String> warn) {
        if (warnPercent < 1 || warnPercent > 100) {
            throw new IllegalArgumentException("renewal_warn_percent must be 1..100, got " + warnPercent);
        }
        this.warnPercent = warnPercent;
        this.clock = clock;
        this.warn = warn;
    }

    public int warnPercent() {
        return warnPercent;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** The lockspaces joined now, as last renewed. */
    public List<Lockspace> lockspaces() {
        return List.copyOf(lockspaces.values());
    }

    public java.util.Optional<Lockspace> lockspace(String name) {
        return java.util.Optional.ofNullable(lockspaces.get(name));
    }

    public long now() {
        return clock.seconds();
    }

    static double fraction(long millis, Timeouts t) {
        return millis * 1_000_000.0 / t.ioTimeoutNanos();
    }

    /** Whether a renewal with these I/O times used more than the warning share of io_timeout. */
    boolean slow(RenewalRecord r, Timeouts t) {
        long worst = Math.max(r.readMillis(), r.writeMillis());
        return worst * 100L > (long) warnPercent * t.ioTimeout() * 1000L;
    }

    @Override
    public void joined(LockspaceSpec spec, Timeouts timeouts, long lastSuccess) {
        lockspaces.put(spec.name(), new Lockspace(spec.name(), spec.hostId(), timeouts, lastSuccess, 0, 0, 0, 0));
    }

    @Override
    public void renewed(LockspaceSpec spec, Timeouts timeouts, RenewalRecord record) {
        boolean slow = slow(record, timeouts);
        Lockspace old = lockspaces.get(spec.name());
        long slowCount = (old == null ? 0 : old.slowRenewals()) + (slow ? 1 : 0);
        long failures = old == null ? 0 : old.failedRenewals();
        Lockspace now = new Lockspace(spec.name(), spec.hostId(), timeouts, record.timestamp(), record.readMillis(),
                record.writeMillis(), slowCount, failures);
        lockspaces.put(spec.name(), now);
        if (slow) {
            long worst = Math.max(record.readMillis(), record.writeMillis());
            warn.accept("s" + spec.name() + " renewal slow: read " + record.readMillis() + " ms write "
                    + record.writeMillis() + " ms, " + Math.round(worst / 10.0 / timeouts.ioTimeout())
                    + "% of io_timeout " + timeouts.ioTimeout() + " (warning above " + warnPercent + "%), "
                    + now.headroomSeconds(clock.seconds()) + " s left before holders are killed");
        }
        for (Listener l : listeners) {
            l.renewed(spec.name(), timeouts, record, slow);
        }
    }

    @Override
    public void failed(LockspaceSpec spec, Timeouts timeouts, int result) {
        lockspaces.computeIfPresent(spec.name(), (k, o) -> new Lockspace(o.name(), o.hostId(), o.timeouts(),
                o.lastSuccess(), o.readMillis(), o.writeMillis(), o.slowRenewals(), o.failedRenewals() + 1));
        for (Listener l : listeners) {
            l.failed(spec.name(), result);
        }
    }

    @Override
    public void removed(LockspaceSpec spec) {
        lockspaces.remove(spec.name());
    }

    /** Both observers, {@code first} first (the watchdog must be armed before anything else is done). */
    public static RenewalObserver both(RenewalObserver first, RenewalObserver second) {
        return new RenewalObserver() {
            @Override
            public void beforeJoin(LockspaceSpec spec) throws io.jsanlock.base.SanlockException {
                first.beforeJoin(spec);
                second.beforeJoin(spec);
            }

            @Override
            public void joined(LockspaceSpec spec, Timeouts timeouts, long lastSuccess) {
                first.joined(spec, timeouts, lastSuccess);
                second.joined(spec, timeouts, lastSuccess);
            }

            @Override
            public void renewed(LockspaceSpec spec, Timeouts timeouts, RenewalRecord record) {
                first.renewed(spec, timeouts, record);
                second.renewed(spec, timeouts, record);
            }

            @Override
            public void failed(LockspaceSpec spec, Timeouts timeouts, int result) {
                first.failed(spec, timeouts, result);
                second.failed(spec, timeouts, result);
            }

            @Override
            public void removed(LockspaceSpec spec) {
                first.removed(spec);
                second.removed(spec);
            }

            @Override
            public void engineClosed() {
                first.engineClosed();
                second.engineClosed();
            }
        };
    }
}
