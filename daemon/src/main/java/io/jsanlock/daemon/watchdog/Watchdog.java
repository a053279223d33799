package io.jsanlock.daemon.watchdog;

/**
 * What the daemon needs from a watchdog, in wdmd's terms (algorithms.md 2.8): one
 * named connection per lockspace ({@code sanlock_<lockspace>:<host_id>}), armed with
 * {@code testLive(name, lastRenewal, lastRenewal + 8N)} after every successful renewal
 * and disarmed with {@code testLive(name, 0, 0)} once no process uses the lockspace.
 * The device is kept petting only while no armed connection has passed its expiry;
 * the host is reset {@link #FIRE_TIMEOUT_SECONDS} after the last pet.
 */
public interface Watchdog extends AutoCloseable {
    /** W: the device fires this long after its last keepalive (fixed in 3.8.5). */
    int FIRE_TIMEOUT_SECONDS = 60;
    /** wdmd's test interval: keepalives are written this often while every connection is live. */
    int TEST_INTERVAL_SECONDS = 10;

    /** Whether the watchdog can be used at all (checked before a lockspace is joined: -203 otherwise). */
    boolean available();

    /** Arms (expire &gt; 0) or disarms (0, 0) the named connection; times in monotonic seconds. */
    void testLive(String connection, long renewal, long expire);

    /** Stops petting with a clean (disarming) close when nothing is armed. */
    @Override
    void close();
}
