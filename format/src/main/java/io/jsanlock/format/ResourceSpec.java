package io.jsanlock.format;

import io.jsanlock.base.SanlockException;
import java.util.ArrayList;
import java.util.List;

/**
 * A RESOURCE argument,
 * {@code <lockspace>:<name>:<path>:<offset>[:<path>:<offset>]…[:<lver>|:SH]},
 * parsed as libsanlock parses it (wire.md 7.3). Errors carry the parser's
 * codes (-6 too short, -1 malformed, -2 too many disks), which the command
 * line prints as {@code resource arg parse error <rv>}.
 *
 * @param lockspaceName byte-string name (see {@link Names}), escapes removed, at most 48 bytes
 * @param name resource name, escapes removed, at most 48 bytes
 * @param disks 0 to 4 path/offset pairs
 * @param lver the requested lease version when {@code hasLver}
 * @param hasLver a numeric last field was given (SANLK_RES_LVER)
 * @param shared the last field starts with {@code SH} (SANLK_RES_SHARED)
 */
public record ResourceSpec(String lockspaceName, String name, List<Disk> disks, long lver, boolean hasLver, boolean shared) {
    /** Most disks a resource may list. */
    public static final int MAX_DISKS = 4;
    /** Longest path sanlock stores (SANLK_PATH_LEN - 1). */
    public static final int MAX_PATH_LEN = 1023;

    /** Parser result codes. */
    public static final int ERR_SHORT = -6;
    public static final int ERR_FORMAT = -1;
    public static final int ERR_DISKS = -2;

    /** One lease location: a path and a byte offset on it. */
    public record Disk(String path, long offset) {
        @Override
        public String toString() {
            return SpecStrings.escapePath(path) + ":" + offset;
        }
    }

    public ResourceSpec {
        disks = List.copyOf(disks);
    }

    /** The first disk; callers check {@code disks().isEmpty()} first. */
    public Disk disk() {
        return disks.get(0);
    }

    /**
     * Who reads the string. The only difference is the command line's {@code M} rule: the
     * {@code sanlock} CLI rewrites its {@code -r} argument before handing it to the library
     * parser, which has no such rule. Everything else (escapes, white space, number forms,
     * error codes) is libsanlock's {@code sanlock_str_to_res} for both, as the reference
     * CLI calls that function.
     */
    public enum Syntax {
        /**
         * {@code sanlock_str_to_res}: state strings (INQUIRE, libvirt, python) and anything
         * a program passes to libsanlock. {@code LS:R:p:1M} is offset 1.
         */
        LIBRARY,
        /**
         * The {@code sanlock} CLI's {@code -r}: when the text after the third colon
         * (counting every colon, escaped or not) contains {@code M}, the number before it
         * ({@code atoll}) times 1 MiB replaces everything up to the fourth colon, even when
         * the {@code M} itself lies in a later field ({@code LS:R:p:1:M} is offset 1 MiB and
         * lver field {@code M}, as the reference does); then {@link #LIBRARY}.
         */
        COMMAND_LINE
    }

    /**
     * Parses {@code arg} as {@code syntax} reads it; failures carry libsanlock's codes.
     */
    public static ResourceSpec parse(String arg, Syntax syntax) throws SanlockException {
        if (syntax == Syntax.COMMAND_LINE) {
            int third = SpecStrings.rawColonIndex(arg, 3);
            if (third >= 0) {
                String after = arg.substring(third + 1);
                int m = after.indexOf('M');
                if (m >= 0) {
                    long bytes = CNumbers.atoll(after.substring(0, m)) * Geometry.MIB;
                    int fourth = SpecStrings.rawColonIndex(arg, 4);
                    arg = arg.substring(0, third) + ":" + bytes + (fourth >= 0 ? arg.substring(fourth) : "");
                }
            }
        }
        return parse(arg);
    }

    /**
     * Parses as libsanlock's {@code sanlock_str_to_res} does ({@link Syntax#LIBRARY}):
     * offsets as {@code strtoull} base 10 after checking that one starts there (white space
     * and a sign allowed, so {@code " 5"} is 5 and {@code -1} is 2^64-1), the version field
     * as {@code strtoull} base 0 unless it starts with {@code SH}, and an empty version
     * field is an error.
     */
    public static ResourceSpec parse(String arg) throws SanlockException {
        if (arg.length() < 3) {
            throw new SanlockException(ERR_SHORT, "resource '" + arg + "' is too short", null);
        }
        int c = SpecStrings.countEscapedColons(arg);
        if (c == 0 || c == 2) {
            throw new SanlockException(ERR_FORMAT, "resource '" + arg
                    + "' needs <lockspace>:<name>:<path>:<offset>[:<lver>|:SH]", null);
        }
        int disks = (c - 1) / 2;
        boolean hasVersionField = (c - 1) % 2 == 1;
        if (disks > MAX_DISKS) {
            throw new SanlockException(ERR_DISKS, "resource '" + arg + "' lists " + disks + " disks, at most "
                    + MAX_DISKS + " are allowed", null);
        }
        String[] f = SpecStrings.splitEscaped(arg, c);
        String ls = SpecStrings.unescape(f[0]);
        String name = SpecStrings.unescape(f[1]);
        checkName("lockspace", ls);
        checkName("resource", name);
        List<Disk> list = new ArrayList<>(disks);
        for (int d = 0; d < disks; d++) {
            String path = SpecStrings.unescape(f[2 + 2 * d]);
            String off = f[3 + 2 * d];
            if (path.isEmpty()) {
                throw new SanlockException(ERR_FORMAT, "resource '" + arg + "' has an empty path", null);
            }
            if (path.length() > MAX_PATH_LEN) {
                throw new SanlockException(ERR_FORMAT, "resource path is " + path.length() + " bytes, over the "
                        + MAX_PATH_LEN + "-byte limit", null);
            }
            if (!CNumbers.startsWithNumber(off)) {
                throw new SanlockException(ERR_FORMAT, "resource offset '" + off + "' is not a number", null);
            }
            list.add(new Disk(path, CNumbers.strtoull10(off)));
        }
        long lver = 0;
        boolean hasLver = false;
        boolean shared = false;
        if (hasVersionField) {
            String v = f[f.length - 1];
            if (v.isEmpty()) {
                throw new SanlockException(ERR_FORMAT, "resource '" + arg + "' ends with an empty version field", null);
            }
            if (v.startsWith("SH")) {
                shared = true;
            } else {
                lver = CNumbers.strtoull0(v);
                hasLver = true;
            }
        }
        return new ResourceSpec(ls, name, list, lver, hasLver, shared);
    }

    private static void checkName(String what, String name) throws SanlockException {
        if (Names.byteLength(name) > DiskFormat.NAME_LEN) {
            throw new SanlockException(ERR_FORMAT, what + " name '" + name + "' is " + Names.byteLength(name)
                    + " bytes, over the " + DiskFormat.NAME_LEN + "-byte limit", null);
        }
    }

    /** The resource string in sanlock's output form (paths escaped, {@code :SH} or {@code :<lver>}). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(lockspaceName).append(':').append(name);
        for (Disk d : disks) {
            b.append(':').append(d);
        }
        if (shared) {
            b.append(":SH");
        } else if (hasLver) {
            b.append(':').append(lver);
        }
        return b.toString();
    }
}
