package io.jsanlock.chaos;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
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
 * <p>Args: runDir lockspace leasePath workDir hostId seed resources.
 * Exit 4: the daemon connection is gone (the host's watchdog is what stops us then).
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
        long pid = ProcessHandle.current().pid();
        Registration reg;
        try {
            reg = new SanlockClient(runDir).register();
        } catch (SanlockException e) {
            System.exit(4);
            return;
        }
        int failures = 0;
        while (true) {
            int k = rnd.nextInt(resources);
            Resource res = Resource.of(ls, ChaosRun.resourceName(k), dev, ChaosRun.resourceOffset(k));
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

    /** Busy/contended/not-yet-joined results are retried; anything else (connection lost) ends the guest. */
    private static boolean retryable(int code) {
        return switch (code) {
            case -243, -244, -245, -11, -16, -17, -28, -1, -2, -110, -202, -212 -> true;
            default -> false;
        };
    }

    private static String read(RandomAccessFile f) throws IOException {
        byte[] b = new byte[64];
        f.seek(0);
        int n = f.read(b);
        return n <= 0 ? "" : new String(b, 0, n, StandardCharsets.US_ASCII).trim();
    }

    private static void write(RandomAccessFile f, String s) throws IOException {
        byte[] b = String.format("%-63s\n", s).getBytes(StandardCharsets.US_ASCII);
        f.seek(0);
        f.write(b);
    }
}
