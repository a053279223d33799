package io.jsanlock.chaos;

/** The faults the harness injects. */
enum FaultKind {
    /** SIGSTOP the whole host longer than the takeover time (75 s): its watchdog must fire first. */
    PAUSE_LONG,
    /** SIGSTOP the whole host past 8N but short of the takeover time (10–20 s), then SIGCONT. */
    PAUSE_SHORT,
    /** kill -9 the daemon: holders keep running until the watchdog resets the host. */
    KILL_DAEMON,
    /** kill -9 one guest: its daemon releases its lease. */
    KILL_GUEST,
    /** The host's view of the lease area rejects writes for 3–14 s (blockdev --setro, then --setrw). */
    STORAGE_ERROR,
    /**
     * The host's view of the lease area slows down (10 I/Os per second) or hangs (every I/O held)
     * for 5–24 s, then recovers: cgroup blkio throttling of its loop device ({@link BlkioThrottle}).
     */
    STORAGE_SLOW,
    /** Clean restart: rem_lockspace, daemon stopped, booted again and rejoined. */
    RESTART
}
