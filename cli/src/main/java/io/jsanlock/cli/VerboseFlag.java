package io.jsanlock.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * jsanlock's {@code -v} on client actions: progress of a slow command on stderr
 * ({@link io.jsanlock.cli.client.Progress}). sanlock 3.8.5 has no {@code -v} (it answers
 * {@code unknown option: v}, or {@code option 'v' requires arg} when it is last), so taking the
 * word out before sanlock's own parser runs changes nothing for a command line without it.
 *
 * <p>Only a {@code -v} where an option letter is expected counts: not the value of another
 * option ({@code -e -v}), and nothing after {@code -c} (a program's own arguments).
 */
final class VerboseFlag {
    static final String FLAG = "-v";

    private VerboseFlag() {
    }

    /** The positions of {@code -v} option words in {@code args[from..]}. */
    private static List<Integer> positions(String[] args, int from) {
        List<Integer> at = new ArrayList<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.equals(FLAG)) {
                at.add(i);
            } else if (a.equals("-c")) {
                break;
            } else if (!a.equals("-D")) {
                i++; // every other option takes the next word as its value (sanlock's rule)
            }
        }
        return at;
    }

    static boolean present(String[] args, int from) {
        return !positions(args, from).isEmpty();
    }

    /** {@code args} without the {@code -v} option words. */
    static String[] strip(String[] args, int from) {
        List<Integer> at = positions(args, from);
        List<String> kept = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            if (!at.contains(i)) {
                kept.add(args[i]);
            }
        }
        return kept.toArray(new String[0]);
    }
}
