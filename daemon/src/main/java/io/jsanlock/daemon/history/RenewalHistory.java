package io.jsanlock.daemon.history;

import io.jsanlock.base.SanlockError;
import io.jsanlock.daemon.LeaseBackend;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's renewal history (RENEWAL, {@code sanlock client renewal -s LS}): one
 * record per successful renewal, oldest first, at most {@code -H} (180) per lockspace,
 * each with the failed attempts that followed it ({@code next_timeouts} for I/O
 * timeouts, -202, {@code next_errors} for other failures) — so after a storage failure
 * the last record names T, the last success, and how the attempts after it failed.
 *
 * <p>Built by watching the engine's per-lockspace renewal state ten times a second (the
 * engine keeps no history of its own yet): an attempt is seen as a change of the
 * (second, result) of its last attempt, so two failures in one second with the same
 * result count once. The engine does not report I/O durations: {@code read_ms} and
 * {@code write_ms} are 0. History is dropped with its lockspace, as the reference
 * drops it.
 */
public final class RenewalHistory implements AutoCloseable {
    private record Entry(long timestamp, int timeouts, int errors) {}

    private static final class Space {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long lastSuccess = -1;
        long lastAttempt = -1;
        int lastResult;
    }

    private final LeaseEngine engine;
    private final int size;
    private final Map<String, Space> spaces = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stop;

    public RenewalHistory(LeaseEngine engine, int size) {
        this.engine = engine;
        this.size = size;
        this.thread = Thread.ofPlatform().daemon().name("jsanlock-renewal-history").start(this::loop);
    }

    private void loop() {
        while (!stop) {
            poll();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    synchronized void poll() {
        Set<String> present = new HashSet<>();
        for (LockspaceInfo i : engine.lockspaces()) {
            switch (i.state()) {
                case JOINED, FAILING, LOST, REMOVING -> { }
                default -> {
                    continue;
                }
            }
            present.add(i.name());
            Space s = spaces.computeIfAbsent(i.name(), k -> new Space());
            synchronized (s) {
                if (i.lastSuccess() != s.lastSuccess) {
                    s.lastSuccess = i.lastSuccess();
                    s.entries.addLast(new Entry(i.lastSuccess(), 0, 0));
                    while (size > 0 && s.entries.size() > size) {
                        s.entries.removeFirst();
                    }
                } else if (i.lastResult() != 0 && (i.lastAttempt() != s.lastAttempt || i.lastResult() != s.lastResult)
                        && !s.entries.isEmpty()) {
                    Entry e = s.entries.removeLast();
                    boolean timeout = i.lastResult() == SanlockError.AIO_TIMEOUT.code();
                    s.entries.addLast(new Entry(e.timestamp(), e.timeouts() + (timeout ? 1 : 0), e.errors() + (timeout ? 0 : 1)));
                }
                s.lastAttempt = i.lastAttempt();
                s.lastResult = i.lastResult();
            }
        }
        spaces.keySet().retainAll(present);
    }

    /** The RENEWAL records of a lockspace, oldest first (empty when -H 0). */
    public List<StateRecord> records(String lockspace) {
        poll();
        Space s = spaces.get(lockspace);
        List<StateRecord> out = new ArrayList<>();
        if (s == null || size == 0) {
            return out;
        }
        synchronized (s) {
            for (Entry e : s.entries) {
                out.add(new StateRecord(StateType.RENEWAL, 0, 0, e.timestamp(), "", "timestamp=" + e.timestamp()
                        + " read_ms=0 write_ms=0 next_timeouts=" + e.timeouts() + " next_errors=" + e.errors(), null, null));
            }
        }
        return out;
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }

    /** {@code backend} with RENEWAL answered from this history (unknown lockspaces still -28 from the backend). */
    public static LeaseBackend install(LeaseEngine engine, LeaseBackend backend, int size) {
        RenewalHistory h = new RenewalHistory(engine, size);
        InvocationHandler ih = (proxy, m, args) -> {
            try {
                Object r = m.invoke(backend, args);
                if (m.getName().equals("renewalRecords")) {
                    return h.records((String) args[0]);
                }
                return r;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                if (m.getName().equals("shutdown")) {
                    h.close();
                }
            }
        };
        return (LeaseBackend) Proxy.newProxyInstance(LeaseBackend.class.getClassLoader(), new Class<?>[] {LeaseBackend.class}, ih);
    }
}
