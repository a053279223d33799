package io.jsanlock.daemon;

/**
 * JUnit resource locks for this module's tests that run side by side
 * (daemon/src/test/resources/junit-platform.properties).
 */
final class TestLanes {
    /**
     * The second lane: the reference parity classes (each with its own temporary directory,
     * daemons and lease files; mostly waiting for lockspace joins at io_timeout 1) run one at a
     * time in it, beside the classes that run in order in the first. A lock on a class also
     * keeps its methods in order.
     */
    static final String REFERENCE_PARITY = "daemon tests: reference parity lane";

    private TestLanes() {
    }
}
