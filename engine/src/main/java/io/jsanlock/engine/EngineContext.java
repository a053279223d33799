package io.jsanlock.engine;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.Scheduler;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.lease.BufferPool;
import io.jsanlock.lease.PaxosLeaseFactory;
import java.util.concurrent.ExecutorService;

/**
 * What the parts of one engine share: its host name, clock and scheduler, log, the storage
 * cache, the paxos lease factory, event dispatch, the renewal observer, the pool of worker
 * threads, and whether the engine was halted or closed. One instance per {@link LeaseEngine};
 * nothing here is static, so several engines in one JVM are several hosts.
 */
final class EngineContext {
    final String hostName;
    final MonotonicClock clock;
    final Scheduler scheduler;
    final LogRing log;
    final RenewalObserver observer;
    final int renewalHistorySize;
    final PaxosLeaseFactory paxos;
    /** The lease-area buffers of ballots and renewal reads: one per I/O in flight, not per lease or lockspace. */
    final BufferPool areaBuffers;
    final StorageCache storage;
    final EventDispatch events;
    /** Joins run asynchronously, request examinations, the leaving of a lost lockspace, release retries. */
    final ExecutorService workers;
    /** Set once by {@link LeaseEngine#halt()}: no I/O is issued any more, no thread starts anything new. */
    volatile boolean halted;
    volatile boolean closed;

    EngineContext(String hostName, MonotonicClock clock, Scheduler scheduler, LogRing log, RenewalObserver observer,
                  int renewalHistorySize, PaxosLeaseFactory paxos, BufferPool areaBuffers, StorageOpener opener,
                  ExecutorService workers, ExecutorService eventThread) {
        this.hostName = hostName;
        this.clock = clock;
        this.scheduler = scheduler;
        this.log = log;
        this.observer = observer;
        this.renewalHistorySize = renewalHistorySize;
        this.paxos = paxos;
        this.areaBuffers = areaBuffers;
        this.storage = new StorageCache(opener, () -> halted);
        this.events = new EventDispatch(scheduler, eventThread);
        this.workers = workers;
    }

    /** Runs {@code task} on a worker thread, as work the scheduler knows of. */
    void background(Runnable task) {
        scheduler.execute(workers, task);
    }

    /** The name of a thread of this engine: {@code jsanlock-HOST-WHAT}. */
    String threadName(String what) {
        return "jsanlock-" + hostName + "-" + what;
    }

    static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
