package io.jsanlock.cli;

import io.jsanlock.base.ByteStrings;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code bin/jsanlock}: sanlock's command line. Same sub-commands, syntax,
 * output and exit statuses as sanlock 3.8.5 (wire.md 7): stdout, stderr and
 * the exit status are the reference's, byte for byte. Explanations sanlock
 * does not give (what exactly was wrong, the daemon's reason for a failure)
 * go to stderr, prefixed {@code jsanlock:}, only with {@code JSANLOCK_EXPLAIN=1}
 * in the environment ({@link Explain}).
 *
 * <p>Start-up is kept light: only the classes of the chosen command load.
 */
public final class Main {
    /** The sanlock release whose behaviour jsanlock reproduces. */
    static final String SANLOCK_VERSION = "3.8.5";

    private Main() {
    }

    public static void main(String[] args) {
        // Paths and names are byte strings carried as Latin-1 chars (ByteStrings): read from argv
        // as bytes, and printed back as the same bytes on both streams.
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
                StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1);
        boolean explain = Explain.requested();
        if (args.length == 0 || !args[0].equals("daemon")) {
            CliLogging.route(explain, err);
        }
        int rc;
        try {
            rc = run(argvBytes(args), out, err, explain);
        } catch (RuntimeException | Error e) {
            out.flush();
            err.println("jsanlock: internal error: " + e);
            rc = 1;
        }
        out.flush();
        System.exit(rc);
    }

    /**
     * The arguments as the bytes the process was given, one char per byte. The JVM decodes
     * argv with the locale's charset (sun.jnu.encoding), which under LANG=C turns every
     * non-ASCII byte into U+FFFD for good, and under UTF-8 cannot carry invalid sequences;
     * /proc/self/cmdline still has the bytes, the program's arguments as its last entries.
     * Each entry is checked to decode to the JVM's argument (so a launcher that added or
     * rewrote arguments is noticed); otherwise the JVM's strings are re-encoded.
     */
    static String[] argvBytes(String[] args) {
        if (args.length == 0) {
            return args;
        }
        java.nio.charset.Charset platform = ByteStrings.platformCharset();
        byte[] cmdline;
        try (InputStream in = new java.io.FileInputStream("/proc/self/cmdline")) {
            cmdline = in.readAllBytes();
        } catch (IOException e) {
            return reencoded(args, platform);
        }
        java.util.List<byte[]> entries = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                entries.add(java.util.Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        if (start < cmdline.length) {
            entries.add(java.util.Arrays.copyOfRange(cmdline, start, cmdline.length));
        }
        if (entries.size() < args.length) {
            return reencoded(args, platform);
        }
        String[] bytes = new String[args.length];
        int first = entries.size() - args.length;
        for (int i = 0; i < args.length; i++) {
            byte[] e = entries.get(first + i);
            if (!new String(e, platform).equals(args[i])) {
                return reencoded(args, platform);
            }
            bytes[i] = ByteStrings.of(e);
        }
        return bytes;
    }

    private static String[] reencoded(String[] args, java.nio.charset.Charset platform) {
        String[] out = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            out[i] = ByteStrings.encoded(args[i], platform);
        }
        return out;
    }

    /**
     * Runs one command line; returns the exit status. Used in-process by tests. The
     * arguments are byte strings (one char per byte, see {@link ByteStrings}). Explains
     * failures on {@code err} when the environment asks for it ({@link Explain}).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Explain.requested());
    }

    /** Runs one command line, explaining failures on {@code err} when {@code explain} is true. */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean explain) {
        // Commands print explanations to "err"; it goes nowhere unless they were asked for.
        PrintStream why = Explain.stream(err, explain);
        if (args.length == 0) {
            printUsage(out, why);
            return 0;
        }
        String command = args[0];
        switch (command) {
            case "help", "--help", "-h" -> {
                printUsage(out, why);
                return 0;
            }
            case "version" -> {
                out.println(SANLOCK_VERSION);
                return 0;
            }
            case "--version", "-V" -> {
                out.println("jsanlock " + SANLOCK_VERSION + " (jsanlock, a Java reimplementation of sanlock " + SANLOCK_VERSION + ")");
                return 0;
            }
            case "direct" -> {
                if (args.length >= 2 && args[1].equals("map")) {
                    // jsanlock's own command: its errors always go to stderr.
                    return DirectMap.run(args, 2, out, err);
                }
                return direct(args, out, why, explain);
            }
            case "client" -> {
                if (args.length < 2) {
                    printUsage(out, why);
                    return 1;
                }
                return client(args[1], args, 2, out, err, explain);
            }
            case "daemon" -> {
                out.flush();
                return io.jsanlock.daemon.DaemonMain.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
            }
            default -> {
                // sanlock takes any other first word as a client action.
                return client(command, args, 1, out, err, explain);
            }
        }
    }

    private static int direct(String[] args, PrintStream out, PrintStream err, boolean explain) {
        if (args.length < 2) {
            printUsage(out, err); // err is the explanation stream here
            return 1;
        }
        String action = args[1];
        switch (action) {
            case "init" -> {
                SanlockOptions o = SanlockOptions.parse(args, 2, out, err);
                if (o.helpRequested) {
                    return commandUsage(out, "sanlock direct init ");
                }
                return o.failure != null ? o.failure : DirectInit.run(o, out, err);
            }
            case "read_leader" -> {
                SanlockOptions o = SanlockOptions.parse(args, 2, out, err);
                if (o.helpRequested) {
                    return commandUsage(out, "sanlock direct read_leader ");
                }
                return o.failure != null ? o.failure : DirectReadLeader.run(o, out, err);
            }
            case "dump" -> {
                boolean json = JsonFlag.present(args, 2);
                if (json) {
                    args = JsonFlag.strip(args, 2);
                }
                if (args.length < 3) {
                    return 1;
                }
                if (args[2].equals("-h") && args.length == 3) {
                    return commandUsage(out, "sanlock direct dump ");
                }
                SanlockOptions o = SanlockOptions.parse(args, 3, out, err);
                if (o.helpRequested) {
                    return commandUsage(out, "sanlock direct dump ");
                }
                return o.failure != null ? o.failure : DirectDump.run(args[2], o, out, err, json);
            }
            case "format", "lookup" -> {
                SanlockOptions o = SanlockOptions.parse(args, 2, out, err);
                if (o.helpRequested) {
                    return commandUsage(out, "sanlock direct " + action + " ");
                }
                if (o.failure != null) {
                    return o.failure;
                }
                return action.equals("format") ? DirectRindex.format(o, out, err) : DirectRindex.lookup(o, out, err);
            }
            case "update", "rebuild" -> {
                SanlockOptions o = SanlockOptions.parse(args, 2, out, err);
                if (o.helpRequested) {
                    return commandUsage(out, "sanlock direct " + action + " ");
                }
                return o.failure != null ? o.failure : DirectRindexUpdate.run(action, o, args, 2, out, err);
            }
            case "next_free" -> {
                // like dump: the first word is the positional path[:offset]; missing: exit 1 silently
                if (args.length < 3) {
                    return 1;
                }
                SanlockOptions o = SanlockOptions.parse(args, 3, out, err);
                return o.failure != null ? o.failure : DirectLeases.nextFree(args[2], o, out, err);
            }
            case "write_leader", "acquire", "release", "acquire_id", "release_id", "renew_id" -> {
                SanlockOptions o = SanlockOptions.parse(args, 2, out, err);
                if (o.failure != null) {
                    return o.failure;
                }
                return switch (action) {
                    case "write_leader" -> DirectLeases.writeLeader(o, out, err);
                    case "acquire", "release" -> DirectLeases.resource(action, o, out, err);
                    default -> DirectLeases.hostId(action, o, out, err);
                };
            }
            case "-h", "--help", "help" -> {
                return commandUsage(out, "sanlock direct ");
            }
            default -> {
                out.println("direct action \"" + action + "\" is unknown");
                return 1;
            }
        }
    }

    private static int client(String action, String[] args, int from, PrintStream out, PrintStream err, boolean explain) {
        if (action.equals("-h") || action.equals("--help")) {
            return commandUsage(out, "sanlock client ");
        }
        return ClientEntry.run(action, args, from, out, err, explain, prefix -> commandUsage(out, prefix));
    }

    /**
     * sanlock's usage text on stdout, byte for byte: scripts and sanlock's own tests compare
     * it. Asked for explanations (JSANLOCK_EXPLAIN=1), help also says on stderr that this is
     * jsanlock and what it adds (stdout stays sanlock's either way); {@code jsanlock
     * --version} says so too.
     */
    static void printUsage(PrintStream out, PrintStream why) {
        out.print(usageText());
        why.print(JSANLOCK_ADDITIONS);
    }

    /** Every line starts with "jsanlock: ", as every explanation does. */
    private static final String JSANLOCK_ADDITIONS = """
            jsanlock: this is jsanlock, a Java reimplementation of sanlock %s: the commands
            jsanlock: above behave and print as sanlock's do. jsanlock adds (none changes them):
            jsanlock:   JSANLOCK_EXPLAIN=1   explain each failure on stderr (this text too)
            jsanlock:   --json               on client status/host_status/gets/inquire, direct dump/map
            jsanlock:   direct map           every lease of a lockspace and who holds it, from storage
            jsanlock:   client ... -v        progress of slow client commands on stderr
            jsanlock:   daemon -M ADDR       Prometheus metrics and a live web view (loopback)
            jsanlock:   --version            jsanlock's own version line
            jsanlock: differences from sanlock: the README's "Differences from sanlock 3.8.5" table
            """.formatted(SANLOCK_VERSION);

    /**
     * jsanlock's {@code -h} on a command: that command's usage lines from the
     * usage text, then the LOCKSPACE/RESOURCE formats and the limits.
     */
    private static int commandUsage(PrintStream out, String prefix) {
        StringBuilder b = new StringBuilder();
        for (String block : usageText().split("\n\n")) {
            StringBuilder lines = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith(prefix)) {
                    lines.append(line).append('\n');
                }
            }
            if (block.startsWith("LOCKSPACE =") || block.startsWith("RESOURCE =") || block.startsWith("Limits:")) {
                lines.append(block.strip()).append('\n');
            }
            if (!lines.isEmpty()) {
                b.append(b.isEmpty() ? "" : "\n").append(lines);
            }
        }
        out.print(b);
        return 0;
    }

    private static String usageText() {
        try (InputStream in = Main.class.getResourceAsStream("usage.txt")) {
            if (in == null) {
                throw new IllegalStateException("usage.txt missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read usage.txt", e);
        }
    }
}
