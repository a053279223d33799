package io.jsanlock.daemon.watchdog;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.LeaseBackend;
import io.jsanlock.engine.LeaseEngine;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Wires the watchdog into a daemon started with {@code -w 1}. The device path is
 * {@code $JSANLOCK_WATCHDOG_DEVICE} (or system property {@code jsanlock.watchdog.device}),
 * default {@code /dev/watchdog}; tests point it at a stand-in file.
 *
 * <p>As the reference connects to wdmd before it joins a lockspace and fails the join
 * with -203 when it cannot, ADD_LOCKSPACE is refused with -203 when the device is not
 * usable (so a host never holds leases it could not be fenced for).
 */
public final class WatchdogSetup {
    private WatchdogSetup() {}

    public static Path devicePath() {
        String p = System.getProperty("jsanlock.watchdog.device");
        if (p == null || p.isEmpty()) {
            p = System.getenv("JSANLOCK_WATCHDOG_DEVICE");
        }
        return Path.of(p == null || p.isEmpty() ? "/dev/watchdog" : p);
    }

    /** Starts the monitor on {@code engine} and returns {@code backend} guarded by the watchdog check. */
    public static LeaseBackend install(LeaseEngine engine, LeaseBackend backend, MonotonicClock clock, Consumer<String> log) {
        DeviceWatchdog wd = new DeviceWatchdog(devicePath(), clock, log);
        WatchdogMonitor monitor = new WatchdogMonitor(engine, wd);
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("addLockspace") && !wd.available()) {
                log.accept("wdmd connect failed: watchdog device " + wd.device() + " is not usable");
                throw new SanlockException(SanlockError.WD_ERROR, "watchdog device " + wd.device() + " is not usable (-w 1)");
            }
            try {
                return m.invoke(backend, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                if (m.getName().equals("shutdown")) {
                    monitor.close();
                }
            }
        };
        return (LeaseBackend) Proxy.newProxyInstance(LeaseBackend.class.getClassLoader(), new Class<?>[] {LeaseBackend.class}, h);
    }
}
