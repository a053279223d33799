package io.jsanlock.lease;

/** A host's state as {@code get_hosts} reports it (algorithms.md 2.6); values are sanlock's flags. */
public enum HostState {
    UNKNOWN(1), FREE(2), LIVE(3), FAIL(4), DEAD(5);

    private final int flag;

    HostState(int flag) {
        this.flag = flag;
    }

    /** SANLK_HOST_* value (as in {@code sanlk_host.flags}). */
    public int flag() {
        return flag;
    }
}
