package io.jsanlock.cli;

import io.jsanlock.cli.client.Args;
import io.jsanlock.cli.client.ClientActions;
import java.io.PrintStream;

/**
 * {@code sanlock client <action>} (and a bare {@code sanlock <action>}): checks the
 * action name, parses the options with sanlock's rules and hands them to
 * {@link ClientActions}.
 */
final class ClientEntry {
    private ClientEntry() {
    }

    /** {@code args[from..]} are the options after the action word. */
    static int run(String action, String[] args, int from, PrintStream out, PrintStream err, boolean explain, Usage usage) {
        if (!ClientActions.known(action)) {
            out.println("client action \"" + action + "\" is unknown");
            return 1;
        }
        boolean json = JSON_ACTIONS.contains(action) && JsonFlag.present(args, from);
        if (json) {
            args = JsonFlag.strip(args, from);
        }
        boolean verbose = VerboseFlag.present(args, from); // jsanlock's -v: progress on stderr
        if (verbose) {
            args = VerboseFlag.strip(args, from);
        }
        SanlockOptions o = SanlockOptions.parse(args, from, out, Explain.stream(err, explain));
        if (o.helpRequested) {
            return usage.print("sanlock client " + action + " ");
        }
        if (o.failure != null) {
            return o.failure;
        }
        return ClientActions.run(action, args(o, args, from), out, err, explain, json, verbose);
    }

    /** The client actions that take jsanlock's {@code --json}. */
    private static final java.util.Set<String> JSON_ACTIONS = java.util.Set.of("status", "host_status", "gets", "inquire");

    static Args args(SanlockOptions o, String[] args, int from) {
        return new Args(o.debug, o.lockspace, o.resources, o.sectorSizeOption, o.alignSizeOption,
                Args.collect(args, from), o.commandArgs);
    }

    /** Prints the usage lines of one command (Main's per-command help). */
    @FunctionalInterface
    interface Usage {
        int print(String prefix);
    }
}
