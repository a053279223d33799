package io.jsanlock.daemon.watchdog;

import io.jsanlock.base.MonotonicClock;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The watchdog a {@code -w 1} daemon uses, chosen when the first lockspace is joined (not at
 * start-up, so a wdmd started after the daemon is still used) and kept for the daemon's life:
 * a running wdmd if one answers on its socket — the reference's way, and the only way to
 * share {@code /dev/watchdog} with sanlock daemons — else the device directly. An explicit
 * device path ({@code JSANLOCK_WATCHDOG_DEVICE}) always means the device: that is how tests
 * and the chaos harness put a stand-in in its place.
 */
final class ChosenWatchdog implements Watchdog {
    private final Path explicitDevice;
    private final Path wdmdSocket;
    private final MonotonicClock clock;
    private final Consumer<String> log;
    private Watchdog chosen;
    private String description;

    ChosenWatchdog(Path explicitDevice, Path wdmdSocket, MonotonicClock clock, Consumer<String> log) {
        this.explicitDevice = explicitDevice;
        this.wdmdSocket = wdmdSocket;
        this.clock = clock;
        this.log = log;
    }

    private synchronized Watchdog chosen() {
        if (chosen == null) {
            if (explicitDevice == null && WdmdWatchdog.running(wdmdSocket)) {
                chosen = new WdmdWatchdog(wdmdSocket, log);
                description = "wdmd at " + wdmdSocket;
            } else {
                Path device = explicitDevice != null ? explicitDevice : Path.of("/dev/watchdog");
                chosen = new DeviceWatchdog(device, clock, log);
                description = "watchdog device " + device + (explicitDevice != null ? "" : " (no wdmd at " + wdmdSocket + ")");
            }
            log.accept("watchdog: using " + description);
        }
        return chosen;
    }

    synchronized String description() {
        chosen();
        return description;
    }

    @Override
    public boolean available() {
        return chosen().available();
    }

    @Override
    public void testLive(String connection, long renewal, long expire) {
        chosen().testLive(connection, renewal, expire);
    }

    @Override
    public synchronized void close() {
        if (chosen != null) {
            chosen.close();
        }
    }
}
