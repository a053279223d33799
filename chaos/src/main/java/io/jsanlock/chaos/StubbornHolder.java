package io.jsanlock.chaos;

import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.posix.Signals;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Resource;

import java.nio.file.Path;

/**
 * A lease holder that fencing cannot stop — the case only the watchdog covers. It asks
 * the daemon not to SIGKILL it (RESTRICT_SIGKILL: the daemon then sends SIGTERM where it
 * would send SIGKILL, as the reference does) and ignores SIGTERM, so every signal the
 * daemon's recovery sends is lost. Prints "held lver N" once it holds the lease.
 *
 * <p>Args: runDir lockspace resource path offset.
 */
public final class StubbornHolder {
    private StubbornHolder() {}

    public static void main(String[] a) throws Exception {
        Signals.handle("TERM", () -> System.out.println("SIGTERM ignored"));
        Registration reg = new SanlockClient(Path.of(a[0])).register();
        reg.restrict(CommandFlags.RESTRICT_SIGKILL);
        Resource r = Resource.of(a[1], a[2], a[3], Long.parseLong(a[4]));
        reg.acquire(r);
        long lver = reg.inquire().leases().getFirst().lver();
        System.out.println("held lver " + lver);
        System.out.flush();
        while (true) {
            Thread.sleep(60_000);
        }
    }
}
