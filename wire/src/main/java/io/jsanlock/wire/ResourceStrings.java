package io.jsanlock.wire;

import io.jsanlock.base.SanlockError;

import java.util.ArrayList;
import java.util.List;

/**
 * The text forms of leases (wire.md 7.3 and 9): resource state strings as INQUIRE
 * returns them and libvirt stores them, RESOURCE and LOCKSPACE arguments as the CLI and
 * libsanlock parse them, and path escaping ("export"). Parse failures carry the codes
 * libsanlock returns (-6 too short, -1 bad field, -2 too many disks).
 */
public final class ResourceStrings {
    /** -ENXIO: libsanlock's code for a resource string shorter than 3 characters (not in SanlockError). */
    public static final int ENXIO = -6;

    private ResourceStrings() {}

    /** Escapes {@code :} and space with a backslash; an existing backslash and the character after it are copied unchanged. */
    public static String exportPath(String path) {
        StringBuilder sb = new StringBuilder(path.length() + 4);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                sb.append(c);
                if (i + 1 < path.length()) {
                    sb.append(path.charAt(++i));
                }
            } else if (c == ':' || c == ' ') {
                sb.append('\\').append(c);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** One lease as text: {@code ls:name(:path:offset)…:lver} or {@code …:SH} when shared (wire.md 9). */
    public static String toState(Resource r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.lockspace()).append(':').append(r.name());
        for (Disk d : r.disks()) {
            sb.append(':').append(exportPath(d.path())).append(':').append(Long.toUnsignedString(d.offset()));
        }
        if (r.shared()) {
            sb.append(":SH");
        } else {
            sb.append(':').append(Long.toUnsignedString(r.lver()));
        }
        return sb.toString();
    }

    /** Several leases joined by one space. */
    public static String toState(List<Resource> resources) {
        StringBuilder sb = new StringBuilder();
        for (Resource r : resources) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(toState(r));
        }
        return sb.toString();
    }

    /**
     * Parses a state string (libsanlock's state_to_args): split at spaces not escaped by
     * a backslash, where a space before the third colon of the current lease belongs to
     * the path; each part parsed by {@link #parseResource}. Empty → -6.
     */
    public static List<Resource> parseState(String state) throws WireException {
        if (state == null || state.isEmpty()) {
            throw new WireException(ENXIO, "empty resource state string");
        }
        List<Resource> out = new ArrayList<>();
        int start = 0;
        int colons = 0;
        for (int i = 0; i < state.length(); i++) {
            char c = state.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c == ':') {
                colons++;
            } else if (c == ' ' && colons >= 3) {
                out.add(parseResource(state.substring(start, i)));
                start = i + 1;
                colons = 0;
            }
        }
        out.add(parseResource(state.substring(start)));
        return out;
    }

    /**
     * Parses one RESOURCE string {@code ls:name:path:offset[:path:offset]…[:lver|:SH]}
     * as libsanlock does (no {@code M} suffix: see {@link #applyMegabyteSuffix}).
     */
    public static Resource parseResource(String s) throws WireException {
        if (s == null || s.length() < 3) {
            throw new WireException(ENXIO, "resource string too short: \"" + s + "\"");
        }
        List<String> parts = splitUnescaped(s, ':', Integer.MAX_VALUE);
        int c = parts.size() - 1;
        if (c == 0 || c == 2) {
            throw new WireException(SanlockError.EPERM, "resource string needs lockspace:name:path:offset: \"" + s + "\"");
        }
        int disks = (c - 1) / 2;
        boolean hasVersion = ((c - 1) % 2) == 1;
        if (disks > Limits.MAX_DISKS) {
            throw new WireException(SanlockError.ENOENT, "resource string has " + disks + " disks, at most 4: \"" + s + "\"");
        }
        String ls = unescape(parts.get(0));
        String name = unescape(parts.get(1));
        checkName("lockspace name", ls, s);
        checkName("resource name", name, s);
        List<Disk> ds = new ArrayList<>();
        for (int i = 0; i < disks; i++) {
            String path = unescape(parts.get(2 + 2 * i));
            if (path.isEmpty() || Fields.bytes(path).length > Limits.PATH_LEN - 1) {
                throw new WireException(SanlockError.EPERM, "resource string has an empty or too long path: \"" + s + "\"");
            }
            String off = parts.get(3 + 2 * i);
            int n = 0;
            while (n < off.length() && Character.isDigit(off.charAt(n)) && off.charAt(n) < 128) {
                n++;
            }
            if (n == 0) {
                throw new WireException(SanlockError.EPERM, "resource string has a non-numeric offset \"" + off + "\": \"" + s + "\"");
            }
            ds.add(new Disk(path, parseUnsignedSaturating(off.substring(0, n), 10)));
        }
        int flags = 0;
        long lver = 0;
        if (hasVersion) {
            String v = parts.get(parts.size() - 1);
            if (v.startsWith("SH")) {
                flags |= ResourceFlags.SHARED;
            } else {
                lver = strtoull0(v);
                flags |= ResourceFlags.LVER;
            }
        }
        return new Resource(ls, name, lver, 0, 0, flags, ds.size(), ds);
    }

    private static void checkName(String what, String name, String s) throws WireException {
        if (Fields.bytes(name).length > Limits.NAME_LEN) {
            throw new WireException(SanlockError.EPERM, what + " longer than 48 bytes: \"" + s + "\"");
        }
    }

    /**
     * The CLI's {@code M} rule for RESOURCE arguments (not libsanlock's): when the text
     * after the third raw colon contains {@code M}, the number before it becomes N·1 MiB
     * and the remainder from the fourth raw colon is kept ({@code LS:R:f:1M:5} →
     * {@code LS:R:f:1048576:5}).
     */
    public static String applyMegabyteSuffix(String s) {
        int third = nthRawColon(s, 3);
        if (third < 0) {
            return s;
        }
        String rest = s.substring(third + 1);
        int m = rest.indexOf('M');
        if (m < 0) {
            return s;
        }
        int fourth = rest.indexOf(':');
        if (fourth >= 0 && fourth < m) {
            return s; // the M belongs to a later field
        }
        long n = atoll(rest.substring(0, m));
        String tail = fourth >= 0 ? rest.substring(fourth) : "";
        return s.substring(0, third + 1) + (n * 1048576L) + tail;
    }

    /**
     * Parses a LOCKSPACE argument {@code name:host_id:path:offset} (wire.md 7.3): split at
     * the first three unescaped colons, missing parts left empty/zero, backslashes removed
     * from the path, {@code atoll} numbers, {@code M} suffix on the offset.
     */
    public static Lockspace parseLockspace(String s) throws WireException {
        List<String> parts = splitUnescaped(s, ':', 3);
        String name = parts.get(0);
        byte[] nb = Fields.bytes(name);
        if (nb.length > Limits.NAME_LEN) {
            name = Fields.string(java.util.Arrays.copyOf(nb, Limits.NAME_LEN));
        }
        long hostId = parts.size() > 1 ? atoll(parts.get(1)) : 0;
        String path = parts.size() > 2 ? unescape(parts.get(2)) : "";
        long offset = 0;
        if (parts.size() > 3) {
            String off = parts.get(3);
            offset = atoll(off);
            int third = nthRawColon(s, 3);
            if (third >= 0) {
                String raw = s.substring(third + 1);
                int m = raw.indexOf('M');
                if (m >= 0) {
                    offset = atoll(raw.substring(0, m)) * 1048576L;
                }
            }
        }
        return Lockspace.of(name, hostId, path, offset);
    }

    /** Splits at unescaped separators, at most {@code maxSplits} times; escapes are kept in the parts. */
    static List<String> splitUnescaped(String s, char sep, int maxSplits) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == sep && out.size() < maxSplits) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** Removes escape backslashes (a backslash protects the next character). */
    public static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                sb.append(s.charAt(++i));
            } else if (c != '\\') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static int nthRawColon(String s, int n) {
        int seen = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ':' && ++seen == n) {
                return i;
            }
        }
        return -1;
    }

    /** C atoll: optional sign, leading digits, anything else stops; no digits → 0. */
    public static long atoll(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = v * 10 + (s.charAt(i) - '0');
            i++;
        }
        return neg ? -v : v;
    }

    /** C strtoull(s, NULL, 0): {@code 0x} hex, leading {@code 0} octal, else decimal; stops at the first invalid digit. */
    public static long strtoull0(String s) {
        String t = s.strip();
        boolean neg = false;
        if (t.startsWith("-") || t.startsWith("+")) {
            neg = t.startsWith("-");
            t = t.substring(1);
        }
        int radix = 10;
        if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X")) && Character.digit(t.charAt(2), 16) >= 0) {
            radix = 16;
            t = t.substring(2);
        } else if (t.startsWith("0")) {
            radix = 8;
        }
        int n = 0;
        while (n < t.length() && Character.digit(t.charAt(n), radix) >= 0 && t.charAt(n) < 128) {
            n++;
        }
        long v = n == 0 ? 0 : parseUnsignedSaturating(t.substring(0, n), radix);
        return neg ? -v : v;
    }

    private static long parseUnsignedSaturating(String digits, int radix) {
        try {
            return Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            return -1L; // ULLONG_MAX, as strtoull saturates
        }
    }
}
