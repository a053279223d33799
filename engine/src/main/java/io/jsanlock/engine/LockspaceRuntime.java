package io.jsanlock.engine;

import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.LeaseStorage;
import io.jsanlock.lease.LockspaceMember;
import io.jsanlock.lease.Timeouts;
import java.util.concurrent.ConcurrentHashMap;

/** Engine-internal state of one lockspace: membership, renewal thread, health. */
final class LockspaceRuntime {
    final LockspaceSpec spec;
    final Timeouts mine;
    final LeaseStorage disk;
    volatile LockspaceMember member;
    volatile LockspaceState state = LockspaceState.JOINING;
    volatile long lastSuccess;
    volatile long lastAttempt;
    volatile int lastResult;
    volatile boolean corrupt;
    volatile boolean stop;
    volatile Thread renewer;
    volatile long lastWarnLogged;
    volatile boolean killFired;
    volatile boolean finishing;
    /** host id → my local second when I asked it to look (request written); bit set for 6N. */
    final ConcurrentHashMap<Long, Long> notify = new ConcurrentHashMap<>();
    /** My outgoing host event {generation, event, data} and when it was set (my second), or null. */
    volatile long[] outEvent;
    /** The renewal history (client renewal), oldest first, at most {@link #historySize} records. */
    private final java.util.ArrayDeque<RenewalRecord> history = new java.util.ArrayDeque<>();
    private final int historySize;
    volatile long outEventSet;

    LockspaceRuntime(LockspaceSpec spec, Timeouts mine, LeaseStorage disk, int historySize) {
        this.spec = spec;
        this.mine = mine;
        this.disk = disk;
        this.historySize = historySize;
    }

    /** Adds the record of a join or a successful renewal (none are kept with a history size of 0 or less). */
    synchronized RenewalRecord recordSuccess(long ts, long readMs, long writeMs) {
        RenewalRecord r = new RenewalRecord(ts, readMs, writeMs, 0, 0);
        if (historySize > 0) {
            if (history.size() >= historySize) {
                history.removeFirst();
            }
            history.addLast(r);
        }
        return r;
    }

    /** Counts a failed renewal attempt on the last success (sanlock's next_timeouts / next_errors). */
    synchronized void recordFailure(boolean timeout) {
        if (!history.isEmpty()) {
            history.addLast(history.removeLast().withFailure(timeout));
        }
    }

    synchronized java.util.List<RenewalRecord> history() {
        return java.util.List.copyOf(history);
    }

    String name() {
        return spec.name();
    }

    long generation() {
        LockspaceMember m = member;
        return m == null ? 0 : m.delta().generation();
    }

    LockspaceInfo info() {
        return new LockspaceInfo(spec.name(), spec.hostId(), spec.path(), spec.offset(), mine.ioTimeout(), generation(),
                state, lastSuccess, lastAttempt, lastResult);
    }
}
