package io.jsanlock.daemon.metrics;

/**
 * What the daemon reports as it serves commands and fences, for the metrics and jsanlock's renewal
 * events. The daemon calls it where a command's result is known; {@link #NONE} does nothing.
 */
public interface DaemonObserver {
    DaemonObserver NONE = new DaemonObserver() {};

    /** An ACQUIRE command ended with {@code result} (0 or a sanlock code), for {@code count} leases asked for. */
    default void acquired(int result, int count) {
    }

    /** A RELEASE command ended with {@code result}. */
    default void released(int result) {
    }

    /** The daemon signalled a lease holder: {@code action} is "sigterm", "sigkill" or "killpath". */
    default void fenced(String action) {
    }

    /** A REG_EVENT connection became an event channel of {@code lockspace}; {@code cmdFlags} as the request gave them. */
    default void eventChannel(String lockspace, io.jsanlock.wire.unix.UnixSocket channel, int cmdFlags) {
    }

    /** Both observers, {@code first} first. */
    static DaemonObserver both(DaemonObserver first, DaemonObserver second) {
        return new DaemonObserver() {
            @Override
            public void acquired(int result, int count) {
                first.acquired(result, count);
                second.acquired(result, count);
            }

            @Override
            public void released(int result) {
                first.released(result);
                second.released(result);
            }

            @Override
            public void fenced(String action) {
                first.fenced(action);
                second.fenced(action);
            }

            @Override
            public void eventChannel(String lockspace, io.jsanlock.wire.unix.UnixSocket channel, int cmdFlags) {
                first.eventChannel(lockspace, channel, cmdFlags);
                second.eventChannel(lockspace, channel, cmdFlags);
            }
        };
    }
}
