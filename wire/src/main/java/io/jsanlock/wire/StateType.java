package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

/** {@code sanlk_state.type} values of STATUS/HOST_STATUS/RENEWAL records (wire.md 3.7). */
public enum StateType {
    DAEMON(1), CLIENT(2), LOCKSPACE(3), RESOURCE(4), HOST(5), RENEWAL(6);

    private final int value;

    StateType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    public static @Nullable StateType of(int value) {
        for (StateType t : values()) {
            if (t.value == value) {
                return t;
            }
        }
        return null;
    }
}
