package io.jsanlock.bench;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Registration;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the benchmark asks a daemon to do, through the Java client library (the same
 * client for both daemons). Every lease is acquired by a registered connection of
 * this JVM, exactly as libvirt's or python's clients do.
 */
final class Workloads {
    /** io_timeout of every lockspace joined here: short, so joins and takeovers take seconds, not minutes. */
    static final int IO_TIMEOUT = 1;
    /** sanlock holds at most 8 leases per registered client (wire.md 3.10), so many leases need many clients. */
    static final int LEASES_PER_CLIENT = 8;

    private Workloads() {
    }

    static Lockspace lockspace(BenchStorage s, DaemonKind kind, long hostId) {
        return new Lockspace(BenchStorage.lockspaceName(kind), hostId, 0,
                new Disk(s.path, BenchStorage.offset(s.lockspaceArea(kind))));
    }

    static Resource resource(BenchStorage s, DaemonKind kind, int i) {
        return Resource.of(BenchStorage.lockspaceName(kind), BenchStorage.resourceName(i), s.path,
                BenchStorage.offset(s.resourceArea(kind, i)));
    }

    /** A synchronous add_lockspace; returns its duration in seconds. */
    static double addLockspace(DaemonProcess d, Lockspace ls) throws SanlockException {
        long t0 = System.nanoTime();
        d.client.addLockspace(ls, IO_TIMEOUT, false);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Latencies (ms) of one sequential pass: acquire then release each resource in turn, one client. */
    record SequentialRound(List<Double> acquireMs, List<Double> releaseMs, double opsPerSecond) {
    }

    static SequentialRound sequential(DaemonProcess d, BenchStorage s, int count) throws SanlockException {
        List<Double> acq = new ArrayList<>(count);
        List<Double> rel = new ArrayList<>(count);
        try (Registration reg = d.client.register()) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                Resource r = resource(s, d.kind, i);
                long t0 = System.nanoTime();
                reg.acquire(r);
                long t1 = System.nanoTime();
                reg.release(r);
                long t2 = System.nanoTime();
                acq.add((t1 - t0) / 1e6);
                rel.add((t2 - t1) / 1e6);
            }
            double secs = (System.nanoTime() - start) / 1e9;
            return new SequentialRound(acq, rel, count / secs);
        }
    }

    /**
     * {@code clients} registered clients, each cycling acquire+release over its own share of
     * {@code pool} resources (client c takes c, c+clients, ...) for {@code seconds}; returns
     * successful acquires per second over all clients. Any failure fails the run: with
     * disjoint resources nothing may be refused.
     */
    static double parallel(DaemonProcess d, BenchStorage s, int clients, int pool, double seconds) throws Exception {
        AtomicLong acquires = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Registration> regs = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                regs.add(d.client.register());
            }
            CountDownLatch go = new CountDownLatch(1);
            long[] stopAt = new long[1];
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Registration reg = regs.get(c);
                int first = c;
                threads.add(Thread.ofPlatform().name("bench-client-" + c).start(() -> {
                    try {
                        go.await();
                        for (int i = first; System.nanoTime() < stopAt[0] && failure.get() == null; i += clients) {
                            if (i >= pool) {
                                i = first;
                            }
                            Resource r = resource(s, d.kind, i);
                            reg.acquire(r);
                            acquires.incrementAndGet();
                            reg.release(r);
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            long t0 = System.nanoTime();
            stopAt[0] = t0 + (long) (seconds * 1e9);
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (failure.get() != null) {
                throw failure.get();
            }
            return acquires.get() / elapsed;
        } finally {
            regs.forEach(Registration::close);
        }
    }

    /** Holds {@code count} leases (8 per client, 8 clients acquiring at once) and returns the daemon's RSS then. */
    static double rssWithHeld(DaemonProcess d, BenchStorage s, int count, java.io.PrintStream log) throws Exception {
        int clients = (count + LEASES_PER_CLIENT - 1) / LEASES_PER_CLIENT;
        List<Registration> regs = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                regs.add(d.client.register());
            }
            forEachConcurrently(clients, 8, c -> {
                List<Resource> mine = new ArrayList<>();
                for (int i = c * LEASES_PER_CLIENT; i < Math.min(count, (c + 1) * LEASES_PER_CLIENT); i++) {
                    mine.add(resource(s, d.kind, i));
                }
                regs.get(c).acquire(mine, 0, io.jsanlock.wire.Options.NONE);
            });
            // The leases' steady state, not the acquire burst's: the jsanlock daemon keeps a burst's
            // lease-area buffers for half a second after it, its monitor frees them within 0.2 s
            // more, and glibc returns freed memory at the next TrimNativeHeapInterval (1 s).
            // The reference is measured after the same wait.
            Thread.sleep(3000);
            double rss = d.rssMiB();
            log.println("bench: " + s.label + ": " + count + " held, " + d.memoryBreakdown());
            forEachConcurrently(clients, 8, c -> regs.get(c).releaseAll());
            return rss;
        } finally {
            regs.forEach(Registration::close);
        }
    }

    interface IndexTask {
        void run(int index) throws Exception;
    }

    /** Runs task(0..n-1) on {@code threads} threads; rethrows the first failure. */
    static void forEachConcurrently(int n, int threads, IndexTask task) throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, n); t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                for (int i; (i = (int) next.getAndIncrement()) < n && failure.get() == null; ) {
                    try {
                        task.run(i);
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
