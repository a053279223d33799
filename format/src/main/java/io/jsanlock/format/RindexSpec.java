package io.jsanlock.format;

/**
 * An RINDEX argument, {@code <lockspace>:<path>:<offset>} (wire.md 7.3):
 * split at the first two colons not preceded by a backslash, backslashes
 * removed from the path, an {@code M} suffix on the offset means MiB, the
 * name is cut to 48 bytes. Parsing never fails; commands check the values.
 */
public record RindexSpec(String lockspaceName, String path, long offset) {
    public static RindexSpec parse(String arg) {
        String[] p = SpecStrings.splitEscaped(arg, 2);
        String name = Names.truncate(p[0]);
        String path = p.length > 1 ? SpecStrings.unescape(p[1]) : "";
        long offset = 0;
        if (p.length > 2) {
            offset = CNumbers.atoll(p[2]);
            if (p[2].indexOf('M') >= 0) {
                offset *= Geometry.MIB;
            }
        }
        return new RindexSpec(name, path, offset);
    }

    /**
     * An rindex entry argument ({@code -e}): {@code <name>[:<offset>]}, split at
     * the first colon (no escapes), {@code M} suffix allowed on the offset.
     *
     * @param name resource name, "" when only an offset was given
     * @param offset 0 when absent
     */
    public record Entry(String name, long offset) {
        public static Entry parse(String arg) {
            int c = arg.indexOf(':');
            String name = c < 0 ? arg : arg.substring(0, c);
            long off = 0;
            if (c >= 0) {
                String o = arg.substring(c + 1);
                off = CNumbers.atoll(o) * (o.indexOf('M') >= 0 ? Geometry.MIB : 1);
            }
            return new Entry(name, off);
        }
    }
}
