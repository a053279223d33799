package io.jsanlock.bench;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Registration;
import io.jsanlock.dist.LeaseDaemonProcess;
import io.jsanlock.client.LockspaceState;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Resource;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Part A of the scale benchmark (issue 18): one daemon, the real process, joined to L
 * lockspaces as host_id 1, holding H leases for registered clients (each registration holds
 * {@code leasesPerClient} leases, acquired for itself in calls of at most 8, sanlock's
 * per-call limit), while C more registrations acquire and release their own resources in a
 * loop for S seconds. Measures the daemon's renewals (its own renewal history, the same
 * RENEWAL request for both daemons), the churners' throughput, and the daemon's RSS, threads
 * and CPU from /proc.
 *
 * <p>Every registration is a connection of this benchmark's JVM (one pid): the daemon keeps a
 * client slot and a token table per connection whatever its pid, and nothing in a renewal or
 * an acquire looks at the pid. 1,250 processes would exceed both daemons' 1024 connection
 * slots (sanlock: "maximum client process connections: 1000"), so the holders are 625
 * registrations of 16 leases: 657 connections with the churners.
 */
final class ScaleDaemonRun {
    /** Log lines that would say a renewal was late, slow or failed (either daemon). */
    static final Pattern TROUBLE = Pattern.compile(
            "check_our_lease warning|check_our_lease failed|renewal slow|renewal error|long write time|OutOfMemoryError|kill deadline");

    /** The shape of one run. */
    record Shape(int lockspaces, int leases, int leasesPerClient, int churners, int churnResourcesEach, double churnSeconds,
                 int ioTimeout) {
        int holders() {
            return (leases + leasesPerClient - 1) / leasesPerClient;
        }
    }

    /** What one run measured. */
    record Result(DaemonKind kind, Shape shape, int joined, double joinSeconds, long heldLeases, long holdFailures,
                  String firstHoldFailure, double acquireAllSeconds, long churnAcquires, long churnFailures,
                  String firstChurnFailure, double churnSeconds, List<Double> churnAcquireMs, RenewalStats renewals,
                  ProcStats idle, ProcStats holding, ProcStats peak, double churnCpuSeconds, List<String> troubleLines,
                  int lockspacesLostAtEnd) {
        double churnRate() {
            return churnAcquires / churnSeconds;
        }
    }

    private ScaleDaemonRun() {
    }

    static Result run(DaemonKind kind, Shape shape, Path work, LeaseDaemonProcess.Launchers launchers, PrintStream log)
            throws Exception {
        Files.createDirectories(work);
        ScaleStorage st = new ScaleStorage(work.resolve("scale-leases.img"), shape.lockspaces(), shape.leases(),
                shape.churners() * shape.churnResourcesEach());
        log.println("bench-scale: " + kind.label + ": initialising " + st.file + " (" + (shape.lockspaces() + shape.leases()
                + shape.churners() * shape.churnResourcesEach()) + " areas)");
        st.initialise();
        List<Registration> holders = new ArrayList<>();
        List<Registration> churners = new ArrayList<>();
        String tag = kind == DaemonKind.JSANLOCK ? "jsanlock" : "reference";
        try (DaemonProcess d = DaemonProcess.start(kind, launchers, work.resolve("run-" + tag), "scale-" + tag)) {
            log.println("bench-scale: " + kind.label + " pid " + d.pid + ": joining " + shape.lockspaces() + " lockspaces, io_timeout "
                    + shape.ioTimeout());
            long j0 = System.nanoTime();
            for (int l = 0; l < shape.lockspaces(); l++) {
                d.client.addLockspace(st.lockspace(l, 1), shape.ioTimeout(), true);
            }
            int joined = awaitJoined(d, st, shape, log);
            double joinSeconds = (System.nanoTime() - j0) / 1e9;
            ProcStats idle = ProcStats.of(d.pid);
            log.println("bench-scale: " + kind.label + ": " + joined + " joined in " + Math.round(joinSeconds) + " s; " + idle);

            log.println("bench-scale: " + kind.label + ": " + shape.holders() + " registrations acquiring " + shape.leases() + " leases");
            for (int c = 0; c < shape.holders(); c++) {
                holders.add(d.client.register());
            }
            AtomicLong held = new AtomicLong();
            AtomicLong holdFailures = new AtomicLong();
            AtomicReference<String> firstHoldFailure = new AtomicReference<>();
            long a0 = System.nanoTime();
            Workloads.forEachConcurrently(shape.holders(), 8, c -> {
                int first = c * shape.leasesPerClient();
                int end = Math.min(shape.leases(), first + shape.leasesPerClient());
                for (int i = first; i < end; i += 8) {
                    List<Resource> batch = new ArrayList<>();
                    for (int k = i; k < Math.min(end, i + 8); k++) {
                        batch.add(st.heldResource(k));
                    }
                    try {
                        holders.get(c).acquire(batch, 0, Options.NONE);
                        held.addAndGet(batch.size());
                    } catch (SanlockException e) {
                        holdFailures.addAndGet(batch.size());
                        firstHoldFailure.compareAndSet(null, "h" + i + ": " + e.getMessage());
                    }
                }
            });
            double acquireAll = (System.nanoTime() - a0) / 1e9;
            ProcStats holding = ProcStats.of(d.pid);
            log.println("bench-scale: " + kind.label + ": " + held.get() + " held (" + holdFailures.get() + " failed) in "
                    + Math.round(acquireAll) + " s; " + holding);

            for (int c = 0; c < shape.churners(); c++) {
                churners.add(d.client.register());
            }
            log.println("bench-scale: " + kind.label + ": " + shape.churners() + " churners for " + shape.churnSeconds() + " s");
            long churnFrom = monoSeconds();
            ChurnResult churn = churn(d, st, shape, churners);
            long churnTo = monoSeconds();
            ProcStats peak = churn.peak;
            ProcStats after = ProcStats.of(d.pid);
            log.println("bench-scale: " + kind.label + ": " + churn.acquires + " churn acquires (" + churn.failures + " failed); peak "
                    + peak);

            RenewalStats rs = new RenewalStats();
            int lost = 0;
            long now = monoSeconds();
            for (int l = 0; l < shape.lockspaces(); l++) {
                List<RenewalStats.Renewal> h = new ArrayList<>();
                try {
                    d.client.renewal(ScaleStorage.lockspaceName(l)).records().forEach(r -> h.add(RenewalStats.Renewal.of(r)));
                    if (d.client.inqLockspace(st.lockspace(l, 1), false) != LockspaceState.JOINED) {
                        lost++;
                    }
                } catch (SanlockException e) {
                    lost++;
                }
                rs.add(h, churnFrom, churnTo, now);
            }
            List<String> trouble = new ArrayList<>();
            for (String line : Files.readAllLines(d.runDir.resolve("daemon.log"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                if (TROUBLE.matcher(line).find()) {
                    trouble.add(line);
                }
            }
            log.println("bench-scale: " + kind.label + ": " + rs.count() + " renewals in the churn window, "
                    + trouble.size() + " trouble lines in the log; releasing");
            Workloads.forEachConcurrently(holders.size(), 8, c -> {
                try {
                    holders.get(c).releaseAll();
                } catch (SanlockException e) {
                    // a lost lockspace released them already: counted above
                }
            });
            for (int l = 0; l < shape.lockspaces(); l++) {
                try {
                    d.client.remLockspace(st.lockspace(l, 1), true, false);
                } catch (SanlockException e) {
                    // already gone (lost): counted above
                }
            }
            return new Result(kind, shape, joined, joinSeconds, held.get(), holdFailures.get(), firstHoldFailure.get(),
                    acquireAll, churn.acquires, churn.failures, churn.firstFailure, churn.seconds, churn.acquireMs, rs, idle,
                    holding, peak.max(after), after.cpuSeconds() - churn.cpuAtStart, trouble, lost);
        } finally {
            churners.forEach(Registration::close);
            holders.forEach(Registration::close);
            st.delete();
        }
    }

    /** Monotonic seconds on the clock both daemons stamp renewals with (CLOCK_MONOTONIC). */
    static long monoSeconds() {
        return System.nanoTime() / 1_000_000_000L;
    }

    /** Polls every lockspace until joined or failed; up to 8N + W + 60 s (a join of a held slot). */
    private static int awaitJoined(DaemonProcess d, ScaleStorage st, Shape shape, PrintStream log) throws Exception {
        long deadline = System.nanoTime() + (8L * shape.ioTimeout() + 60 + 60) * 1_000_000_000L;
        List<Integer> pending = new ArrayList<>();
        for (int l = 0; l < shape.lockspaces(); l++) {
            pending.add(l);
        }
        int joined = 0;
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000); // the daemon has no join event to wait on; INQ is what clients poll
            for (var it = pending.iterator(); it.hasNext(); ) {
                int l = it.next();
                LockspaceState s = d.client.inqLockspace(st.lockspace(l, 1), false);
                if (s == LockspaceState.JOINED) {
                    joined++;
                    it.remove();
                } else if (s == LockspaceState.ABSENT) {
                    log.println("bench-scale: " + ScaleStorage.lockspaceName(l) + " failed to join");
                    it.remove();
                }
            }
        }
        return joined;
    }

    private record ChurnResult(long acquires, long failures, String firstFailure, double seconds, List<Double> acquireMs,
                               ProcStats peak, double cpuAtStart) {
    }

    /** C registered clients cycling acquire+release over their own K resources each, for S seconds; /proc sampled each second. */
    private static ChurnResult churn(DaemonProcess d, ScaleStorage st, Shape shape, List<Registration> regs) throws Exception {
        AtomicLong acquires = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        long[] stopAt = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < shape.churners(); c++) {
            Registration reg = regs.get(c);
            int me = c;
            threads.add(Thread.ofPlatform().name("churn-" + c).start(() -> {
                List<Double> mine = new ArrayList<>();
                try {
                    go.await();
                    for (int n = 0; System.nanoTime() < stopAt[0]; n++) {
                        Resource r = st.churnResource(me + shape.churners() * (n % shape.churnResourcesEach()));
                        long t0 = System.nanoTime();
                        try {
                            reg.acquire(r);
                        } catch (SanlockException e) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, r.name() + ": " + e.getMessage());
                            Thread.sleep(100); // a failing daemon: do not spin on it
                            continue;
                        }
                        mine.add((System.nanoTime() - t0) / 1e6);
                        acquires.incrementAndGet();
                        reg.release(r);
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, String.valueOf(e));
                }
                latencies.addAll(mine);
            }));
        }
        ProcStats start = ProcStats.of(d.pid);
        ProcStats peak = start;
        long t0 = System.nanoTime();
        stopAt[0] = t0 + (long) (shape.churnSeconds() * 1e9);
        go.countDown();
        while (System.nanoTime() < stopAt[0]) {
            Thread.sleep(1000); // a /proc sample a second
            peak = peak.max(ProcStats.of(d.pid));
        }
        for (Thread t : threads) {
            t.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new ChurnResult(acquires.get(), failures.get(), firstFailure.get(), secs, List.copyOf(latencies), peak,
                start.cpuSeconds());
    }
}
