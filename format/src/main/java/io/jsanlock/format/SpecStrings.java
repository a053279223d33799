package io.jsanlock.format;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Escape-aware splitting shared by the LOCKSPACE, RESOURCE and RINDEX parsers, and the
 * path escaping of sanlock's output (the one copy: wire's resource state strings use it too).
 */
public final class SpecStrings {
    private SpecStrings() {
    }

    /**
     * Splits at the first {@code maxSplits} colons not preceded by a
     * backslash; the last part keeps any further colons. Escapes are kept.
     */
    static String[] splitEscaped(String s, int maxSplits) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length() && parts.size() < maxSplits; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ':') {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts.toArray(new String[0]);
    }

    /** Number of colons not preceded by a backslash. */
    static int countEscapedColons(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ':') {
                n++;
            }
        }
        return n;
    }

    /** Removes each backslash, keeping the character after it. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 < s.length()) {
                    b.append(s.charAt(++i));
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The text after the {@code n}-th colon counting every colon, or null when there are fewer. */
    static @Nullable String afterRawColons(String s, int n) {
        int idx = rawColonIndex(s, n);
        return idx < 0 ? null : s.substring(idx + 1);
    }

    /** Index of the {@code n}-th colon (1-based) counting every colon, or -1. */
    static int rawColonIndex(String s, int n) {
        int seen = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ':' && ++seen == n) {
                return i;
            }
        }
        return -1;
    }

    /** sanlock's path export: ':' and ' ' get a backslash; an existing escape pair is copied. */
    public static String escapePath(String path) {
        StringBuilder b = new StringBuilder(path.length() + 4);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                b.append(c);
                if (i + 1 < path.length()) {
                    b.append(path.charAt(++i));
                }
            } else {
                if (c == ':' || c == ' ') {
                    b.append('\\');
                }
                b.append(c);
            }
        }
        return b.toString();
    }
}
