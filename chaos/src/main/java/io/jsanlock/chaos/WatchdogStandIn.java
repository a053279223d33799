package io.jsanlock.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Plays a host's /dev/watchdog for tests: the daemon (started with
 * {@code JSANLOCK_WATCHDOG_DEVICE} pointing at this file) appends one byte per
 * keepalive and a 'V' on a clean (disarming) close. The stand-in polls the file ten
 * times a second, records every keepalive, and when the device is open (armed) and no
 * keepalive came for {@code fireSeconds} it "resets the host": SIGKILL to the host's
 * whole process group. It runs outside that group, so pausing the host does not pause
 * its watchdog.
 */
final class WatchdogStandIn implements AutoCloseable {
    private final Path device;
    private final int fireSeconds;
    private final Thread thread;
    private final List<Long> keepalives = new CopyOnWriteArrayList<>();
    private final List<Long> fires = new CopyOnWriteArrayList<>();
    private final Runnable onFire;
    /** Monotonic nanoseconds: the system's, or a test's manual clock. */
    private final LongSupplier nanos;
    private volatile LongSupplier pgid;
    private volatile boolean armed;
    private volatile long lastKeepalive;
    private volatile boolean stop;
    private long position;

    WatchdogStandIn(Path device, int fireSeconds, LongSupplier pgid, Runnable onFire) throws IOException {
        this(device, fireSeconds, pgid, onFire, System::nanoTime, true);
    }

    /**
     * {@code nanos} is the stand-in's clock; without {@code polling} no thread polls the file
     * and the caller runs each {@link #poll} itself (a test of the firing rule on a manual clock).
     */
    WatchdogStandIn(Path device, int fireSeconds, LongSupplier pgid, Runnable onFire, LongSupplier nanos, boolean polling)
            throws IOException {
        this.device = device;
        this.fireSeconds = fireSeconds;
        this.pgid = pgid;
        this.onFire = onFire;
        this.nanos = nanos;
        Files.deleteIfExists(device);
        Files.createFile(device);
        this.thread = polling ? Thread.ofPlatform().daemon().name("watchdog-" + device.getFileName()).start(this::loop) : null;
    }

    private void loop() {
        while (!stop) {
            poll();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One look at the device file: records a keepalive written since the last look, fires when W has passed without one. */
    synchronized void poll() {
        long now = nanos.getAsLong();
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "r")) {
            long len = f.length();
            if (len > position) {
                f.seek(len - 1);
                int last = f.read();
                position = len;
                keepalives.add(now);
                lastKeepalive = now;
                armed = last != 'V';
            }
        } catch (IOException e) {
            return;
        }
        if (armed && now - lastKeepalive >= fireSeconds * 1_000_000_000L) {
            armed = false;
            fires.add(now);
            Procs.signalGroup(pgid.getAsLong(), "KILL");
            if (onFire != null) {
                onFire.run();
            }
        }
    }

    /** True while the device is open and has not been closed cleanly or fired. */
    boolean armed() {
        return armed;
    }

    List<Long> keepalives() {
        return List.copyOf(keepalives);
    }

    /** Monotonic nanos of every firing. */
    List<Long> fires() {
        return List.copyOf(fires);
    }

    Path device() {
        return device;
    }

    @Override
    public void close() {
        stop = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
