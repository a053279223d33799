package io.jsanlock.daemon.watchdog;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.engine.RenewalObserver;
import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.Timeouts;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps one watchdog connection per lockspace in step with the engine's renewals
 * (algorithms.md 2.8), as the engine's {@link RenewalObserver}, so on the threads that do
 * the steps, as sanlock's lockspace thread does: a join is refused with -203 when the
 * watchdog is not usable; the connection is armed with {@code expire = last_success + 8N}
 * ({@link Timeouts#watchdogExpiry}) once the host id is held — before the lockspace is
 * joined and before add_lockspace returns — re-armed after every successful renewal (the
 * expiry always counts from the last success, never moved by a failed attempt), kept armed
 * while the lockspace is failing, lost or being removed, and disarmed only when the engine
 * has dropped the lockspace — which it does after every holder released (was killed) or on a
 * clean rem_lockspace. The watchdog is closed with the engine.
 */
public final class WatchdogMonitor implements RenewalObserver {
    private final Watchdog watchdog;
    private final Supplier<String> description;
    private final Consumer<String> log;
    /** Connection name → the expiry it is armed with. */
    private final Map<String, Long> armed = new HashMap<>();

    /** {@code description} names the watchdog in the -203 message (known once it is chosen). */
    public WatchdogMonitor(Watchdog watchdog, Supplier<String> description, Consumer<String> log) {
        this.watchdog = watchdog;
        this.description = description;
        this.log = log;
    }

    static String connectionName(LockspaceSpec spec) {
        return "sanlock_" + spec.name() + ":" + spec.hostId();
    }

    @Override
    public void beforeJoin(LockspaceSpec spec) throws SanlockException {
        if (!watchdog.available()) {
            String what = description.get();
            log.accept("wdmd connect failed: " + what + " is not usable");
            throw new SanlockException(SanlockError.WD_ERROR, what + " is not usable (-w 1)");
        }
    }

    @Override
    public void joined(LockspaceSpec spec, Timeouts timeouts, long lastSuccess) {
        arm(spec, timeouts, lastSuccess);
    }

    @Override
    public void renewed(LockspaceSpec spec, Timeouts timeouts, RenewalRecord record) {
        arm(spec, timeouts, record.timestamp());
    }

    private synchronized void arm(LockspaceSpec spec, Timeouts timeouts, long lastSuccess) {
        if (lastSuccess <= 0) {
            return;
        }
        String name = connectionName(spec);
        long expire = timeouts.watchdogExpiry(lastSuccess);
        Long old = armed.put(name, expire);
        if (old == null || old != expire) {
            watchdog.testLive(name, lastSuccess, expire);
        }
    }

    /** Connection name → the monotonic second it fires at, for every connection armed now (metrics, web view). */
    public synchronized Map<String, Long> armedExpiries() {
        return Map.copyOf(armed);
    }

    @Override
    public synchronized void removed(LockspaceSpec spec) {
        String name = connectionName(spec);
        if (armed.remove(name) != null) {
            watchdog.testLive(name, 0, 0);
        }
    }

    @Override
    public synchronized void engineClosed() {
        watchdog.close();
    }
}
