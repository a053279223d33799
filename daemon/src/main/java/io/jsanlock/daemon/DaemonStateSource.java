package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.metrics.DaemonState;
import io.jsanlock.daemon.metrics.RenewalHeadroom;
import io.jsanlock.daemon.watchdog.WatchdogMonitor;
import io.jsanlock.engine.HostInfo;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.engine.LockspaceInfo;
import io.jsanlock.engine.RenewalRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Takes a {@link DaemonState} of a running daemon for the metrics and the web view of daemon -M:
 * reads the engine, the client table and the watchdog, changes nothing, waits for no I/O.
 */
public final class DaemonStateSource implements Supplier<DaemonState> {
    private final Daemon daemon;
    private final LeaseEngine engine;
    private final RenewalHeadroom headroom;
    private final WatchdogMonitor watchdog;

    /** {@code watchdog} null when the daemon runs with -w 0. */
    public DaemonStateSource(Daemon daemon, LeaseBackend backend, RenewalHeadroom headroom, WatchdogMonitor watchdog) {
        if (!(backend instanceof EngineBackend eb)) {
            throw new IllegalArgumentException("the daemon's state is only known with the engine backend");
        }
        this.daemon = daemon;
        this.engine = eb.engine();
        this.headroom = headroom;
        this.watchdog = watchdog;
    }

    @Override
    public DaemonState get() {
        long now = engine.clock().seconds();
        List<DaemonState.Lockspace> spaces = new ArrayList<>();
        for (LockspaceInfo ls : engine.lockspaces()) {
            List<HostInfo> hosts;
            List<RenewalRecord> renewals;
            try {
                hosts = engine.hosts(ls.name());
            } catch (SanlockException e) {
                hosts = List.of(); // not read yet (joining), or gone since the list was taken
            }
            try {
                renewals = engine.renewals(ls.name());
            } catch (SanlockException e) {
                renewals = List.of();
            }
            spaces.add(new DaemonState.Lockspace(ls, hosts, engine.leases(ls.name()), renewals,
                    headroom.lockspace(ls.name())));
        }
        List<DaemonState.Holder> holders = new ArrayList<>();
        for (Client c : daemon.clients.all()) {
            Client.Holding h = c.holding();
            if (h == null) {
                continue;
            }
            List<String> leases = new ArrayList<>();
            for (HeldLease l : h.leases()) {
                leases.add(l.resource().lockspace() + ":" + l.resource().name());
            }
            int pid = h.pid();
            String name = h.name();
            holders.add(new DaemonState.Holder(pid, name, command(pid), leases));
        }
        return new DaemonState(engine.hostName(), now, daemon.connectionCount(), spaces, holders, watchdog != null,
                watchdog == null ? Map.of() : watchdog.armedExpiries());
    }

    /** The process's command line from /proc, arguments separated by spaces; "" when it cannot be read. */
    static String command(int pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            int n = b.length;
            while (n > 0 && b[n - 1] == 0) {
                n--;
            }
            for (int i = 0; i < n; i++) {
                if (b[i] == 0) {
                    b[i] = ' ';
                }
            }
            return new String(b, 0, n, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
