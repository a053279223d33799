package io.jsanlock.cli;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.CNumbers;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of a {@code sanlock client|direct <action>} command line,
 * parsed with sanlock's own rules (wire.md 7.2), which a general option
 * library would not reproduce: every option is exactly {@code -<letter>}
 * followed by a separate value (only {@code -D} has none), {@code -r}
 * accumulates up to 8 resources, {@code -c} ends parsing, numbers are read
 * like C's atoi/strtol, and each mistake has its own message and exit 1.
 *
 * <p>jsanlock addition: a {@code -h} with nothing after it asks for the
 * command's usage (sanlock would report a missing value).
 */
final class SanlockOptions {
    /** The most -r options sanlock keeps. */
    static final int MAX_RESOURCES = 8;
    private static final String LETTERS_WITH_VALUE = "srxepcohfwaOPunmigdzZAFQRHLSUGtlb";

    boolean debug;
    LockspaceSpec lockspace;
    final List<ResourceSpec> resources = new ArrayList<>();
    int sectorSizeOption;
    long alignSizeOption;
    int numHosts;
    int ioTimeout;
    long force;
    boolean clear;
    boolean helpRequested;
    /** -r arguments that did not parse (already reported). */
    int resourceErrors;
    final List<String> commandArgs = new ArrayList<>();
    /** Raw values of options this parser stores but does not interpret. */
    final java.util.Map<Character, String> raw = new java.util.HashMap<>();

    /** Parse result: null when parsing succeeded, else the exit status to end with. */
    Integer failure;

    /**
     * Parses {@code args[from..]}. Messages go to {@code out} exactly as
     * sanlock prints them; explanations sanlock does not give go to {@code err}.
     */
    static SanlockOptions parse(String[] args, int from, PrintStream out, PrintStream err) {
        SanlockOptions o = new SanlockOptions();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.length() != 2 || a.charAt(0) != '-') {
                out.println("unknown option " + a);
                out.println("space required before option value");
                o.failure = 1;
                return o;
            }
            char c = a.charAt(1);
            if (c == 'D') {
                o.debug = true;
                continue;
            }
            // sanlock looks for the value before it looks at the letter: a last option is
            // "requires arg" even when the letter is unknown (client status -q)
            if (i + 1 >= args.length) {
                if (c == 'h') {
                    o.helpRequested = true;
                    return o;
                }
                out.println("option '" + c + "' requires arg");
                o.failure = 1;
                return o;
            }
            if (LETTERS_WITH_VALUE.indexOf(c) < 0) {
                out.println("unknown option: " + c);
                o.failure = 1;
                return o;
            }
            String v = args[++i];
            switch (c) {
                case 's' -> o.lockspace = LockspaceSpec.parse(v);
                case 'r' -> o.addResource(v, out, err);
                case 'Z' -> o.sectorSizeOption = (int) CNumbers.atoll(v);
                case 'A' -> o.alignSizeOption = Geometry.parseAlignOption(v);
                case 'n' -> o.numHosts = (int) CNumbers.atoll(v);
                case 'o' -> o.ioTimeout = (int) CNumbers.atoll(v);
                case 'f' -> o.force = CNumbers.strtoull0(v);
                case 'z' -> o.clear = true;
                case 'c' -> {
                    for (int k = i; k < args.length; k++) {
                        o.commandArgs.add(args[k]);
                    }
                    i = args.length;
                }
                default -> o.raw.put(c, v);
            }
        }
        // sanlock accepts no sizes, -Z alone, or one of the five pairs; -A alone is refused.
        if (o.sectorSizeOption != 0 || o.alignSizeOption != 0) {
            boolean zAlone = o.alignSizeOption == 0;
            if (!zAlone && !Geometry.valid(o.sectorSizeOption, o.alignSizeOption)) {
                out.println(Geometry.invalidMessage(o.sectorSizeOption, o.alignSizeOption));
                out.println(Geometry.VALID_PAIRS_HINT);
                o.failure = 1;
            }
        }
        return o;
    }

    private void addResource(String v, PrintStream out, PrintStream err) {
        if (resources.size() >= MAX_RESOURCES) {
            out.println("resource args over max " + MAX_RESOURCES);
            return;
        }
        try {
            resources.add(ResourceSpec.parse(v, ResourceSpec.Syntax.COMMAND_LINE));
        } catch (SanlockException e) {
            resourceErrors++;
            out.println("resource arg parse error " + e.code());
            out.println();
            err.println("jsanlock: " + e.getMessage());
        }
    }

    /** True when both -Z and a valid -A were given. */
    boolean hasGeometry() {
        return sectorSizeOption != 0 && alignSizeOption != 0;
    }

    /** True when -Z was given without a usable -A (sanlock's init then fails with -1). */
    boolean sectorSizeAlone() {
        return sectorSizeOption != 0 && alignSizeOption == 0;
    }

    Geometry geometry() throws SanlockException {
        return Geometry.of(sectorSizeOption, alignSizeOption);
    }

    /** io_timeout as sanlock takes it from -o: 0 means the default, 10 seconds. */
    int ioTimeoutSeconds() {
        return ioTimeout <= 0 ? 10 : ioTimeout;
    }
}
