package io.jsanlock.daemon.watchdog;

import io.jsanlock.base.MonotonicClock;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The watchdog used directly, as wdmd uses it, when no wdmd runs: a Linux watchdog
 * device ({@code /dev/watchdog}, or a stand-in file in tests) that resets the host
 * {@link #FIRE_TIMEOUT_SECONDS} after the last keepalive (any byte written).
 *
 * <p>The device is opened (which starts it) when the first connection is armed. A
 * keepalive is written at once and then every {@link #TEST_INTERVAL_SECONDS}, but only
 * while no armed connection has reached its expiry: a lockspace whose renewals failed
 * for 8N stops the petting, and unless every holder then exits and the lockspace is
 * disarmed, the device fires 60 s after the last keepalive. When the last connection is
 * disarmed the device gets the magic 'V' and is closed, which stops it (nowayout off).
 * A connection never disarmed (the daemon died) keeps the device open in the kernel's
 * eyes: the device fires.
 *
 * <p>wdmd itself is stricter (seen in dist's {@code WdmdInteropTest}): it fails a connection
 * whose expiry falls before its next test, so it stops petting up to one test interval before
 * the expiry. Here the petting stops at the expiry, which is the bound the other hosts rely
 * on (the last keepalive is before {@code last_success + 8N}, so the reset comes before
 * {@code last_success + 8N + W}, within their host-dead wait); being as strict as wdmd would
 * make io_timeout 1 — used by the tests and the chaos harness — reset every host.
 */
public final class DeviceWatchdog implements Watchdog {
    private final Path device;
    private final MonotonicClock clock;
    /** The petting thread's wait between rounds (every second). */
    private final Sleeper sleeper;
    private final Consumer<String> log;
    private final Map<String, Long> expiries = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private FileOutputStream out;
    private long lastPet = Long.MIN_VALUE;
    private String reportedExpired;
    private Thread petter;
    private volatile boolean closed;

    public DeviceWatchdog(Path device, MonotonicClock clock, Consumer<String> log) {
        this(device, clock, Sleeper.SYSTEM, log);
    }

    /** {@code clock} judges expiries and keepalive intervals; {@code sleeper} spaces the petting thread's rounds. */
    public DeviceWatchdog(Path device, MonotonicClock clock, Sleeper sleeper, Consumer<String> log) {
        this.device = device;
        this.clock = clock;
        this.sleeper = sleeper;
        this.log = log;
    }

    public Path device() {
        return device;
    }

    @Override
    public boolean available() {
        return Files.exists(device) && Files.isWritable(device);
    }

    @Override
    public void testLive(String connection, long renewal, long expire) {
        synchronized (lock) {
            if (expire == 0) {
                if (expiries.remove(connection) != null) {
                    log.accept("wdmd " + connection + " disarmed");
                }
                if (expiries.isEmpty()) {
                    magicClose();
                }
                return;
            }
            Long old = expiries.put(connection, expire);
            if (old == null) {
                log.accept("wdmd " + connection + " armed renewal " + renewal + " expire " + expire);
            }
            if (out == null) {
                open();
            }
            tick();
        }
    }

    private void open() {
        try {
            out = new FileOutputStream(device.toFile(), true);
            lastPet = Long.MIN_VALUE;
            log.accept("wdmd opened " + device);
        } catch (IOException e) {
            log.accept("wdmd cannot open " + device + ": " + e.getMessage());
            return;
        }
        if (petter == null) {
            petter = Thread.ofPlatform().daemon().name("jsanlock-watchdog").start(this::petLoop);
        }
    }

    private void petLoop() {
        while (!closed) {
            synchronized (lock) {
                tick();
            }
            try {
                sleeper.sleepNanos(1_000_000_000L);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One test round: pet when due and no armed connection has expired. */
    private void tick() {
        if (out == null) {
            return;
        }
        long now = clock.seconds();
        for (Map.Entry<String, Long> e : expiries.entrySet()) {
            if (now >= e.getValue()) {
                if (!e.getKey().equals(reportedExpired)) {
                    reportedExpired = e.getKey();
                    log.accept("wdmd " + e.getKey() + " expired at " + e.getValue() + " now " + now
                            + ": not petting, the device fires " + FIRE_TIMEOUT_SECONDS + " s after the last keepalive " + lastPet);
                }
                return;
            }
        }
        reportedExpired = null;
        if (lastPet == Long.MIN_VALUE || now - lastPet >= TEST_INTERVAL_SECONDS) {
            try {
                out.write('.');
                out.flush();
                lastPet = now;
            } catch (IOException e) {
                log.accept("wdmd keepalive to " + device + " failed: " + e.getMessage());
            }
        }
    }

    private void magicClose() {
        if (out == null) {
            return;
        }
        try {
            out.write('V');
            out.close();
            log.accept("wdmd closed " + device + " (disarmed)");
        } catch (IOException e) {
            log.accept("wdmd close of " + device + " failed: " + e.getMessage());
        }
        out = null;
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (expiries.isEmpty()) {
                magicClose();
            }
            // armed connections left at daemon exit: the device stays open until the process
            // dies, then fires — the daemon gave up its lockspaces without disarming them.
        }
    }
}
