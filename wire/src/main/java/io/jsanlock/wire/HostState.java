package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

/** State of a host in the low nibble of {@code sanlk_host.flags} (GET_HOSTS), as `client gets -h 1` names it. */
public enum HostState {
    NONE(0), UNKNOWN(1), FREE(2), LIVE(3), FAIL(4), DEAD(5);

    private final int value;

    HostState(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The state in the flags' low nibble; null for values sanlock does not define (the CLI prints ERROR). */
    public static @Nullable HostState ofFlags(int flags) {
        int v = flags & 0xF;
        for (HostState s : values()) {
            if (s.value == v) {
                return s;
            }
        }
        return null;
    }
}
