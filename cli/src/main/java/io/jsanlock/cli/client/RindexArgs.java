package io.jsanlock.cli.client;

import io.jsanlock.format.CNumbers;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;

/**
 * The RINDEX ({@code -x <lockspace>:<path>:<offset>}) and entry ({@code -e
 * <name>[:<offset>]}) arguments of the resource-index actions, parsed as sanlock's
 * command line does (wire.md 7.3): the RINDEX split escape-aware at its first two
 * colons with backslashes removed from the path; the entry split at its first colon;
 * both offsets accept an {@code M} (MiB) suffix.
 */
public final class RindexArgs {
    private static final long MIB = 1L << 20;

    private RindexArgs() {
    }

    /** The -x value as a wire rindex (zeroed when absent). */
    public static ResourceIndex rindex(String arg, int flags) {
        if (arg == null) {
            return new ResourceIndex(flags, 0, "", new Disk("", 0));
        }
        String[] parts = new String[] {"", "", ""};
        int part = 0;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < arg.length(); i++) {
            char ch = arg.charAt(i);
            if (ch == '\\' && part < 2) {
                cur.append(ch);
                if (i + 1 < arg.length()) {
                    cur.append(arg.charAt(++i));
                }
            } else if (ch == ':' && part < 2) {
                parts[part++] = cur.toString();
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        parts[part] = cur.toString();
        String name = unescape(parts[0]);
        String path = unescape(parts[1]);
        return new ResourceIndex(flags, 0, name, new Disk(path, offset(parts[2])));
    }

    /** The -e value as a wire entry: {@code name}, {@code name:offset} or {@code :offset}. */
    public static ResourceEntry entry(String arg) {
        if (arg == null) {
            return ResourceEntry.EMPTY;
        }
        int colon = arg.indexOf(':');
        if (colon < 0) {
            return new ResourceEntry(arg, 0, 0);
        }
        return new ResourceEntry(arg.substring(0, colon), offset(arg.substring(colon + 1)), 0);
    }

    /** A decimal offset, or a number of MiB when followed by {@code M}. */
    static long offset(String s) {
        int m = s.indexOf('M');
        return m >= 0 ? CNumbers.atoll(s.substring(0, m)) * MIB : CNumbers.atoll(s);
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\') {
                if (i + 1 < s.length()) {
                    b.append(s.charAt(++i));
                }
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
