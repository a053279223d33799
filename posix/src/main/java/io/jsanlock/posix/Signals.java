package io.jsanlock.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

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

    private static final class SignalCall {
        static final MethodHandle H = Native.bind("signal",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    /**
     * Runs {@code handler} (on a JVM thread) whenever the process gets signal {@code name}
     * ("TERM", "INT", "HUP"), replacing the JVM's handling of it.
     *
     * @throws IllegalArgumentException when the JVM will not hand the signal over (started
     *         with -Xrs, or the signal is one the JVM uses itself)
     */
    public static void handle(String name, Runnable handler) {
        sun.misc.Signal signal = new sun.misc.Signal(name);
        restoreDefault(signal.getNumber());
        sun.misc.Signal.handle(signal, sig -> handler.run());
    }

    /**
     * Sets {@code signum} back to its default action. A process started with a signal ignored
     * (under nohup: SIGHUP) inherits that, and the JVM then leaves the signal ignored instead of
     * taking it over, silently; sanlock installs its handlers whatever it inherited, so a nohup'd
     * sanlock still answers SIGHUP. Setting SIG_DFL first lets the JVM take the signal over. For
     * the instant between the two calls the default action (exit) applies: the daemon has no
     * lockspace yet then, and sanlock would exit on that signal too.
     */
    static void restoreDefault(int signum) {
        try (Arena a = Arena.ofConfined()) {
            // SIG_DFL is a null handler; SIG_ERR (an invalid number) is left for the JVM to refuse
            MemorySegment _ = (MemorySegment) SignalCall.H.invokeExact(Native.callState(a), signum, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("signal() downcall failed", t);
        }
    }
}
