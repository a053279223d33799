package io.jsanlock.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * jsanlock's {@code --json} on the commands that have it (direct dump and map, client
 * status, host_status, gets and inquire). A long option cannot be one of sanlock's
 * {@code -X} letters, so taking it out before sanlock's own parser runs leaves every other
 * command line, and its output, exactly sanlock's.
 */
final class JsonFlag {
    static final String FLAG = "--json";

    private JsonFlag() {
    }

    /** True when {@code --json} is among {@code args[from..]} before a {@code -c} (whose arguments are a program's). */
    static boolean present(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("-c")) {
                return false;
            }
            if (args[i].equals(FLAG)) {
                return true;
            }
        }
        return false;
    }

    /** {@code args} without the {@code --json} words at or after {@code from} (up to a {@code -c}). */
    static String[] strip(String[] args, int from) {
        List<String> kept = new ArrayList<>(args.length);
        boolean program = false;
        for (int i = 0; i < args.length; i++) {
            program |= i >= from && args[i].equals("-c");
            if (i >= from && !program && args[i].equals(FLAG)) {
                continue;
            }
            kept.add(args[i]);
        }
        return kept.toArray(new String[0]);
    }
}
