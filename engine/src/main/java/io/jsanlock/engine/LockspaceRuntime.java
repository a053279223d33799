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
    /** The last {@link #HISTORY} successful renewals, oldest first. */
    final java.util.ArrayDeque<RenewalRecord> history = new java.util.ArrayDeque<>();
    static final int HISTORY = 180;
    int failedTimeouts;
    int failedOther;
    volatile long outEventSet;

    LockspaceRuntime(LockspaceSpec spec, Timeouts mine, LeaseStorage disk) {
        this.spec = spec;
        this.mine = mine;
        this.disk = disk;
    }

    synchronized void recordSuccess(long ts, long readMs, long writeMs) {
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(new RenewalRecord(ts, readMs, writeMs, failedTimeouts, failedOther));
        failedTimeouts = 0;
        failedOther = 0;
    }

    synchronized void recordFailure(boolean timeout) {
        if (timeout) {
            failedTimeouts++;
        } else {
            failedOther++;
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
