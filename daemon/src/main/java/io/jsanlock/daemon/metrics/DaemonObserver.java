package io.jsanlock.daemon.metrics;

/**
 * What the daemon reports as it serves commands and fences, for the metrics. The daemon calls it
 * where a command's result is known; the default observer ({@link #NONE}) does nothing, so a
 * daemon without {@code -M} pays one interface call per command.
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
}
