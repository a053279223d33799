package io.jsanlock.chaos;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.Resource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A guest: the process a lease protects (a VM, in production). Registered with its
 * host's daemon, it repeatedly acquires one of the exclusive resource leases, and while
 * holding it stamps {@code host lver pid} into that resource's guarded record every
 * 100 ms — after re-reading the record and checking nobody else wrote there since it
 * took the lease (a newer lver, or any other stamp after its first one, means two
 * holders at once: logged as STALE). Every step goes to the resource's journal for the
 * independent {@link HistoryChecker}.
 *
 * <p>Args: runDir lockspace leasePath workDir hostId seed resources [reference].
 *
 * <p>On a host running the reference sanlock ({@code reference}), a grant is used only if the
 * host's lockspace generation is the same before and after the acquire. sanlock 3.8.5 can
 * complete an acquire begun in a lockspace instance it has since freed (renewal failed, the
 * instance cleared without the client blocked in acquire, the host rejoined with a new
 * generation) and answer it with success: the lease then carries the old generation, which
 * other hosts rightly treat as unprotected (README, "An overlap caused by a reference host").
 * That defect is the reference's, documented with its log evidence; the guard keeps it from
 * masking what these runs check — jsanlock's safety. jsanlock hosts get no such guard: an
 * acquire in a lost or removed lockspace fails there (engine tests cover that window), and
 * the chaos runs would catch it if it did not.
 *
 * <p>Exit 4: the daemon connection is gone (the host's watchdog is what stops us then).
 */
public final class Guest {
    private Guest() {}

    public static void main(String[] a) throws Exception {
        Path runDir = Path.of(a[0]);
        String ls = a[1];
        String dev = a[2];
        Path work = Path.of(a[3]);
        int host = Integer.parseInt(a[4]);
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(a[5]));
        int resources = Integer.parseInt(a[6]);
        boolean referenceHost = a.length > 7 && a[7].equals("reference");
        long pid = ProcessHandle.current().pid();
        SanlockClient daemon = new SanlockClient(runDir);
        Registration reg;
        try {
            reg = daemon.register();
        } catch (SanlockException e) {
            System.exit(4);
            return;
        }
        int failures = 0;
        while (true) {
            int k = rnd.nextInt(resources);
            Resource res = Resource.of(ls, ChaosRun.resourceName(k), dev, ChaosRun.resourceOffset(k));
            long generation = referenceHost ? ownGeneration(daemon, ls, host) : 0;
            if (generation < 0) {
                Thread.sleep(500); // not joined (or not yet renewed once): nothing to compare with
                continue;
            }
            try {
                reg.acquire(res);
                failures = 0;
            } catch (SanlockException e) {
                if (!retryable(e.code()) || ++failures > 200) {
                    System.err.println("guest " + pid + ": acquire failed " + e.code() + " " + e.getMessage() + ", exiting");
                    System.exit(4);
                }
                Thread.sleep(100 + rnd.nextInt(e.code() == -28 ? 1500 : 600));
                continue;
            }
            if (referenceHost && ownGeneration(daemon, ls, host) != generation) {
                System.err.println("guest " + pid + ": " + res.name() + " granted across a rejoin of the lockspace"
                        + " (generation " + generation + " when the acquire began): not used, released");
                try {
                    reg.release(res);
                } catch (SanlockException e) {
                    if (!retryable(e.code())) {
                        System.exit(4);
                    }
                }
                continue;
            }
            long lver = reg.inquire().leases().stream().filter(r -> r.name().equals(res.name())).mapToLong(Resource::lver)
                    .findFirst().orElse(-1);
            try (Journal j = new Journal(ChaosRun.journalFile(work, k));
                 RandomAccessFile rec = new RandomAccessFile(ChaosRun.recordFile(work, k).toFile(), "rw")) {
                j.log("ACQ", host, lver, pid, "");
                String mine = host + " " + lver + " " + pid;
                boolean wrote = false;
                long until = System.nanoTime() + (300 + rnd.nextInt(2200)) * 1_000_000L;
                while (System.nanoTime() < until) {
                    String seen = read(rec);
                    if (!seen.isEmpty() && !seen.equals(mine)) {
                        String[] f = seen.split(" ");
                        long theirLver = Long.parseLong(f[1]);
                        if (wrote || theirLver >= lver) {
                            j.log("STALE", host, lver, pid, "record holds " + seen);
                            break;
                        }
                    }
                    write(rec, mine);
                    wrote = true;
                    j.log("HOLD", host, lver, pid, "");
                    Thread.sleep(100);
                }
                j.log("REL", host, lver, pid, "");
            }
            try {
                reg.release(res);
            } catch (SanlockException e) {
                if (!retryable(e.code())) {
                    System.err.println("guest " + pid + ": release failed " + e.code() + ", exiting");
                    System.exit(4);
                }
            }
            Thread.sleep(300 + rnd.nextInt(1200)); // give other hosts a chance at the lease
        }
    }

    /** This host's generation in the lockspace as its daemon reports it, or -1 when it has none. */
    private static long ownGeneration(SanlockClient daemon, String ls, int host) {
        try {
            return daemon.getHosts(ls, host).stream().filter(h -> h.hostId() == host).mapToLong(Host::generation)
                    .filter(g -> g > 0).findFirst().orElse(-1);
        } catch (SanlockException e) {
            return -1;
        }
    }

    /** Busy/contended/not-yet-joined results are retried; anything else (connection lost) ends the guest. */
    private static boolean retryable(int code) {
        return switch (code) {
            case -243, -244, -245, -11, -16, -17, -28, -1, -2, -110, -202, -212 -> true;
            default -> false;
        };
    }

    static String read(RandomAccessFile f) throws IOException {
        byte[] b = new byte[64];
        f.seek(0);
        int n = f.read(b);
        return n <= 0 ? "" : new String(b, 0, n, StandardCharsets.US_ASCII).trim();
    }

    static void write(RandomAccessFile f, String s) throws IOException {
        byte[] b = String.format("%-63s\n", s).getBytes(StandardCharsets.US_ASCII);
        f.seek(0);
        f.write(b);
    }
}
