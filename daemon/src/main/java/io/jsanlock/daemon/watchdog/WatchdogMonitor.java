package io.jsanlock.daemon.watchdog;

import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.LockspaceInfo;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps one watchdog connection per lockspace in step with the engine's renewals
 * (algorithms.md 2.8): armed with {@code expire = last_success + 8N} once the host id
 * is held, re-armed after every successful renewal (the expiry is always computed from
 * the last success, never moved by a failed attempt), kept armed while the lockspace
 * is failing, lost or being removed, and disarmed only when the engine has dropped the
 * lockspace — which it does after every holder released (was killed) or on a clean
 * rem_lockspace. Polls five times a second, so arming lags a renewal by at most 0.2 s;
 * the expiry itself is exact.
 */
public final class WatchdogMonitor implements AutoCloseable {
    private final LeaseEngine engine;
    private final Watchdog watchdog;
    private final Map<String, Long> armed = new HashMap<>();
    private final Thread thread;
    private volatile boolean stop;

    public WatchdogMonitor(LeaseEngine engine, Watchdog watchdog) {
        this.engine = engine;
        this.watchdog = watchdog;
        this.thread = Thread.ofPlatform().daemon().name("jsanlock-wd-monitor").start(this::loop);
    }

    static String connectionName(LockspaceInfo i) {
        return "sanlock_" + i.name() + ":" + i.hostId();
    }

    private void loop() {
        while (!stop) {
            poll();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    synchronized void poll() {
        Set<String> seen = new HashSet<>();
        for (LockspaceInfo i : engine.lockspaces()) {
            String name = connectionName(i);
            switch (i.state()) {
                case JOINED, FAILING, LOST, REMOVING -> {
                    if (i.lastSuccess() <= 0) {
                        continue;
                    }
                    seen.add(name);
                    long expire = i.lastSuccess() + 8L * i.ioTimeout();
                    Long old = armed.get(name);
                    if (old == null || old != expire) {
                        armed.put(name, expire);
                        watchdog.testLive(name, i.lastSuccess(), expire);
                    }
                }
                default -> { }
            }
        }
        for (String name : new HashSet<>(armed.keySet())) {
            if (!seen.contains(name)) {
                armed.remove(name);
                watchdog.testLive(name, 0, 0);
            }
        }
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        poll(); // lockspaces left cleanly just before are disarmed, not left to fire
        watchdog.close();
    }
}
