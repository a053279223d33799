package io.jsanlock.lease;

/**
 * Every duration sanlock 3.8.5 derives from a lockspace's io_timeout
 * (algorithms.md 1.2), in whole seconds. One instance describes one host's
 * view of one io_timeout: {@code of(myN)} for my own schedule, and
 * {@code of(N_X)} (the io_timeout read from host X's slot) to judge X.
 *
 * <p>{@code W} (watchdog fire timeout) is 60 in 3.8.5 and must be the same on
 * all hosts; {@code G} (kill grace) only shapes local fencing.
 */
public record Timeouts(int ioTimeout, int watchdogSeconds, int killGraceSeconds) {
    /** sanlock 3.8.5's compile-time watchdog fire timeout. */
    public static final int WATCHDOG_FIRE_TIMEOUT = 60;
    /** sanlock's default kill grace (daemon -g). */
    public static final int DEFAULT_KILL_GRACE = 40;
    /** io_timeout used when a lockspace is added with 0. */
    public static final int DEFAULT_IO_TIMEOUT = 10;

    public Timeouts {
        if (ioTimeout < 1 || ioTimeout > 255) {
            // only the low byte survives on disk (algorithms.md 1.4), so larger values are unusable
            throw new IllegalArgumentException("io_timeout must be 1..255 seconds, got " + ioTimeout);
        }
        if (watchdogSeconds < 0 || killGraceSeconds < 0 || killGraceSeconds > 60) {
            throw new IllegalArgumentException("bad watchdog " + watchdogSeconds + " / kill grace " + killGraceSeconds);
        }
    }

    /** 3.8.5's values for io_timeout {@code n} (0 = the default 10). */
    public static Timeouts of(int n) {
        return new Timeouts(n == 0 ? DEFAULT_IO_TIMEOUT : n, WATCHDOG_FIRE_TIMEOUT, DEFAULT_KILL_GRACE);
    }

    /** The same W and G with another io_timeout (for judging another host). */
    public Timeouts withIoTimeout(int n) {
        return new Timeouts(n, watchdogSeconds, killGraceSeconds);
    }

    /**
     * The io_timeout to use for a value read from disk: the stored value, or my own
     * when the slot says 0 ("use own io_timeout", algorithms.md 1.3).
     */
    public Timeouts forStored(int storedIoTimeout) {
        int n = storedIoTimeout & 0xFF;
        return n == 0 ? this : withIoTimeout(n);
    }

    /** Minimum gap between two successful renewals: 2N. */
    public long idRenewalSeconds() {
        return 2L * ioTimeout;
    }

    /** "check_our_lease warning" from this gap on: 6N. */
    public long idRenewalWarnSeconds() {
        return 6L * ioTimeout;
    }

    /** Local recovery (lockspace lost) from this gap on: 8N. */
    public long idRenewalFailSeconds() {
        return 8L * ioTimeout;
    }

    /**
     * The watchdog expiry of a lockspace last renewed at {@code lastSuccess}: {@code lastSuccess + 8N},
     * the moment local recovery starts (algorithms.md 2.8: wdmd's {@code test_live(ts, ts + 8N)}).
     */
    public long watchdogExpiry(long lastSuccess) {
        return lastSuccess + idRenewalFailSeconds();
    }

    /** Another host may treat this host as dead after this long without a change: 8N + W. */
    public long hostDeadSeconds() {
        return 8L * ioTimeout + watchdogSeconds;
    }

    /** Pause between writing a delta lease and reading it back: 2N. */
    public long deltaShortDelaySeconds() {
        return 2L * ioTimeout;
    }

    /** The paper's D+6d = 8N, always dominated by {@link #hostDeadSeconds()}. */
    public long deltaLargeDelaySeconds() {
        return 8L * ioTimeout;
    }

    /** Wait before taking over a host_id slot held by another name: max(8N+W, 8N). */
    public long deltaAcquireHeldWaitSeconds() {
        return Math.max(hostDeadSeconds(), deltaLargeDelaySeconds());
    }

    /** How long a request/event bit stays set in my bitmap: 6N. */
    public long setBitmapSeconds() {
        return 6L * ioTimeout;
    }

    /** After this gap since the last renewal holders get SIGKILL instead of SIGTERM: 8N + G. */
    public long killEscalationSeconds() {
        return 8L * ioTimeout + killGraceSeconds;
    }

    /** Timeout of the renewal write (the one I/O given longer than N): 8N + W. */
    public long renewalWriteTimeoutSeconds() {
        return 8L * ioTimeout + watchdogSeconds;
    }

    /** Extra time to collect a timed-out renewal read: N. */
    public long renewalReadExtendSeconds() {
        return ioTimeout;
    }

    /** Paxos: the owner (whose Timeouts this is) is dead after 8·N_owner + W unchanged. */
    public long ownerDeadSeconds() {
        return hostDeadSeconds();
    }

    /** First retry of a release that timed out: N after the first attempt began. */
    public long releaseFirstRetrySeconds() {
        return ioTimeout;
    }

    /** Later release retries: 2N apart. */
    public long releaseRetrySeconds() {
        return 2L * ioTimeout;
    }

    /** Timeout of an ordinary lease I/O, in nanoseconds. */
    public long ioTimeoutNanos() {
        return ioTimeout * 1_000_000_000L;
    }
}
