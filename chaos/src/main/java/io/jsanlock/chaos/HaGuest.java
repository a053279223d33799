package io.jsanlock.chaos;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.Resource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The guest program of an HA domain (a VM, in production), run by jvirsh: jvirsh acquired
 * the domain's lease on behalf of this process before exec (vm-leases.md §4.1), so unlike
 * {@link Guest} it never acquires or releases — it holds the lease for as long as it runs.
 * It stamps {@code host lver pid} into the domain's guarded record every 100 ms, after
 * checking nobody else wrote there since it began (a newer lver, or any other stamp after
 * its first: two copies at once, logged as STALE), and journals every step for the
 * independent {@link HistoryChecker}, in the same format as {@link Guest}.
 *
 * <p>A guest shutdown (the guest OS powering off) is simulated by the file
 * {@code WORK/poweroff/K}: the guest logs REL and exits 0, and its daemon releases the lease.
 *
 * <p>Args: runDir hostId workDir k.
 */
public final class HaGuest {
    private HaGuest() {}

    public static void main(String[] a) throws Exception {
        Path runDir = Path.of(a[0]);
        int host = Integer.parseInt(a[1]);
        Path work = Path.of(a[2]);
        int k = Integer.parseInt(a[3]);
        long pid = ProcessHandle.current().pid();
        String name = ChaosRun.resourceName(k);
        long lver = -1;
        // the daemon's record of the lease held for this pid gives its lver
        for (int i = 0; i < 100 && lver < 0; i++) {
            try {
                lver = new SanlockClient(runDir).inquire((int) pid).leases().stream().filter(r -> r.name().equals(name))
                        .mapToLong(Resource::lver).findFirst().orElse(-1);
            } catch (SanlockException e) {
                lver = -1;
            }
            if (lver < 0) {
                Thread.sleep(100);
            }
        }
        if (lver < 0) {
            System.err.println("ha guest " + pid + ": no lease " + name + " held for this pid, not stamping");
            System.exit(5);
        }
        Path poweroff = poweroffFile(work, k);
        try (Journal j = new Journal(ChaosRun.journalFile(work, k));
             RandomAccessFile rec = new RandomAccessFile(ChaosRun.recordFile(work, k).toFile(), "rw")) {
            j.log("ACQ", host, lver, pid, "ha");
            String mine = host + " " + lver + " " + pid;
            boolean wrote = false;
            while (true) {
                if (Files.deleteIfExists(poweroff)) {
                    j.log("REL", host, lver, pid, "guest shutdown");
                    System.exit(0);
                }
                String seen = Guest.read(rec);
                if (!seen.isEmpty() && !seen.equals(mine)) {
                    long theirLver = Long.parseLong(seen.split(" ")[1]);
                    if (wrote || theirLver >= lver) {
                        j.log("STALE", host, lver, pid, "record holds " + seen);
                        System.exit(6);
                    }
                }
                Guest.write(rec, mine);
                wrote = true;
                j.log("HOLD", host, lver, pid, "");
                Thread.sleep(100);
            }
        }
    }

    /** The file that makes domain {@code k}'s guest shut down cleanly. */
    static Path poweroffFile(Path work, int k) {
        return work.resolve("poweroff").resolve(Integer.toString(k));
    }
}
