package io.jsanlock.dist.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/jsanlock help} lists every command and action the reference's {@code sanlock
 * help} lists, with the same usage line, and the shared part of the text has sanlock's
 * layout; jsanlock's additions are marked as such.
 */
class HelpListsEveryCommandTest {
    @Test
    void everyReferenceCommandIsListed() {
        Run.requireReference();
        Run.Result ref = Run.sanlock(null, List.of("help"));
        Run.Result ours = Run.jsanlock(null, List.of("help"));
        assertEquals(0, ref.exit());
        assertEquals(0, ours.exit());
        Set<String> refCommands = commands(ref.out());
        Set<String> ourCommands = commands(ours.out());
        assertTrue(refCommands.size() > 30, "too few commands parsed from sanlock help: " + refCommands);
        Set<String> missing = new TreeSet<>(refCommands);
        missing.removeAll(ourCommands);
        assertEquals(Set.of(), missing, "commands sanlock help lists that bin/jsanlock help does not");
        // Every usage line of the reference appears unchanged.
        Set<String> ourLines = Set.copyOf(ours.out().lines().toList());
        for (String line : ref.out().lines().toList()) {
            assertTrue(ourLines.contains(line), "usage line missing or changed: '" + line + "'");
        }
        // Anything jsanlock adds is marked.
        for (String line : ours.out().lines().toList()) {
            if (line.startsWith("sanlock ") && !ref.out().contains(line)) {
                assertTrue(line.contains("(jsanlock)"), "unmarked addition: " + line);
            }
        }
    }

    @Test
    void dashHAndNoArgumentsPrintTheSameUsage() {
        Run.requireReference();
        String help = Run.jsanlock(null, List.of("help")).out();
        assertEquals(help, Run.jsanlock(null, List.of("-h")).out());
        assertEquals(help, Run.jsanlock(null, List.of()).out());
        Run.Result client = Run.jsanlock(null, List.of("client"));
        assertEquals(1, client.exit(), "client without an action is an error, as in sanlock");
        assertEquals(help, client.out());
    }

    /**
     * The commands a usage text lists: the entries of the "commands:" block and every
     * {@code sanlock <command> <action>} usage line.
     */
    static Set<String> commands(String usage) {
        Set<String> out = new TreeSet<>();
        boolean inCommands = false;
        for (String line : usage.lines().toList()) {
            if (line.equals("commands:")) {
                inCommands = true;
                continue;
            }
            if (inCommands) {
                if (line.isBlank()) {
                    inCommands = false;
                } else {
                    out.add(line.trim().split("\\s+")[0]);
                }
                continue;
            }
            String[] w = line.split("\\s+");
            if (w.length >= 3 && w[0].equals("sanlock") && !w[2].startsWith("<") && !w[2].startsWith("[")) {
                out.add(w[1] + " " + w[2]);
            }
        }
        return out;
    }
}
