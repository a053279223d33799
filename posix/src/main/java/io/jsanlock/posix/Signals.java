package io.jsanlock.posix;

/**
 * Handling of process signals (SIGTERM, SIGINT, SIGHUP) in Java code, instead of the JVM's
 * default of running the shutdown hooks and exiting with 128+signal.
 *
 * <p>Why {@code sun.misc.Signal} (module jdk.unsupported, readable from the class path): it is
 * the only way a JVM can refuse to exit on SIGTERM. A shutdown hook runs after the JVM has
 * decided to exit and cannot refuse; a native {@code sigaction} through FFM would run Java in
 * signal context; blocking the signals for {@code signalfd} is impossible in a JVM whose
 * threads exist before any code of ours runs. The handler runs on an ordinary Java thread that
 * the JVM's signal dispatcher starts, so it may lock, log and start threads.
 *
 * <p>javac warns at every use of sun.misc ("internal proprietary API"), a warning no
 * {@code @SuppressWarnings} or -Xlint option silences; this module is compiled against the
 * running JDK with {@code -XDignore.symbol.file} (see its pom) so the one use here compiles
 * without it, and the rest of the build keeps warnings as errors.
 */
public final class Signals {
    private Signals() {
    }

    /**
     * Runs {@code handler} (on a JVM thread) whenever the process gets signal {@code name}
     * ("TERM", "INT", "HUP"), replacing the JVM's handling of it.
     *
     * @throws IllegalArgumentException when the JVM will not hand the signal over (started
     *         with -Xrs, or the signal is one the JVM uses itself)
     */
    public static void handle(String name, Runnable handler) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> handler.run());
    }
}
