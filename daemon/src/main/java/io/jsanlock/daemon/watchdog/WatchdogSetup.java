package io.jsanlock.daemon.watchdog;

import io.jsanlock.base.MonotonicClock;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Wires the watchdog into a daemon started with {@code -w 1}: a running wdmd
 * ({@code $JSANLOCK_WDMD_SOCKET}, default {@code /run/wdmd/wdmd.sock}) when one answers, else
 * the device ({@code $JSANLOCK_WATCHDOG_DEVICE} or system property
 * {@code jsanlock.watchdog.device}, default {@code /dev/watchdog}; setting it forces the
 * device, which is how tests put a stand-in file in its place). See {@link ChosenWatchdog}.
 *
 * <p>As the reference connects to wdmd before it joins a lockspace and fails the join
 * with -203 when it cannot, ADD_LOCKSPACE is refused with -203 when the device is not
 * usable (so a host never holds leases it could not be fenced for).
 */
public final class WatchdogSetup {
    private WatchdogSetup() {}

    /** The device path set explicitly, or null. */
    static Path explicitDevicePath() {
        String p = System.getProperty("jsanlock.watchdog.device");
        if (p == null || p.isEmpty()) {
            p = System.getenv("JSANLOCK_WATCHDOG_DEVICE");
        }
        return p == null || p.isEmpty() ? null : Path.of(p);
    }

    static Path wdmdSocketPath() {
        String p = System.getenv("JSANLOCK_WDMD_SOCKET");
        return p == null || p.isEmpty() ? WdmdWatchdog.DEFAULT_SOCKET : Path.of(p);
    }

    /**
     * What a {@code -w 1} daemon says at start when no watchdog is in sight: no wdmd answers
     * and the device is missing or not writable (checked without opening it: opening
     * /dev/watchdog arms it). Null when one is there. Every join would fail with -203.
     */
    public static String startupWarning() {
        Path explicit = explicitDevicePath();
        Path socket = wdmdSocketPath();
        if (explicit == null && WdmdWatchdog.running(socket)) {
            return null;
        }
        Path device = explicit != null ? explicit : Path.of("/dev/watchdog");
        if (java.nio.file.Files.exists(device) && java.nio.file.Files.isWritable(device)) {
            return null;
        }
        return "-w 1 but " + (explicit == null ? "no wdmd answers at " + socket + " and " : "") + "watchdog device " + device
                + (java.nio.file.Files.exists(device) ? " is not writable" : " does not exist")
                + ": add_lockspace will fail with -203 until one is usable (start wdmd, or run with -w 0)";
    }

    /** The watchdog of a {@code -w 1} daemon, to install with {@code LeaseEngine.Builder.renewalObserver}. */
    public static WatchdogMonitor monitor(MonotonicClock clock, Consumer<String> log) {
        ChosenWatchdog wd = new ChosenWatchdog(explicitDevicePath(), wdmdSocketPath(), clock, log);
        return new WatchdogMonitor(wd, wd::description, log);
    }
}
