package io.jsanlock.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Whether the command line explains its failures. sanlock 3.8.5 prints only result codes,
 * and scripts (sanlock's own tests among them) check that stderr stays empty, so by
 * default jsanlock prints exactly what sanlock prints. With {@code JSANLOCK_EXPLAIN=1} in
 * the environment, each failure is explained on stderr in lines starting with
 * {@code jsanlock: }; stdout and the exit status stay the reference's either way.
 */
public final class Explain {
    /** The environment variable that asks for explanations. */
    public static final String VARIABLE = "JSANLOCK_EXPLAIN";
    /** Where explanations go when nobody asked for them. */
    public static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream(), true);

    private Explain() {
    }

    /** Any value but empty or {@code 0} asks for explanations. */
    public static boolean requested(String value) {
        return value != null && !value.isEmpty() && !value.equals("0");
    }

    /** True when this process's environment asks for explanations. */
    public static boolean requested() {
        return requested(System.getenv(VARIABLE));
    }

    /** The stream explanations go to: stderr when asked for, else nowhere. */
    public static PrintStream stream(PrintStream stderr, boolean explain) {
        return explain ? stderr : NOWHERE;
    }
}
