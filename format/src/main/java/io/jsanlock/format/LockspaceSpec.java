package io.jsanlock.format;

/**
 * A LOCKSPACE argument, {@code <name>:<host_id>:<path>:<offset>}, as sanlock's
 * command line parses it (wire.md 7.3):
 * <ul>
 * <li>split at the first three colons not preceded by a backslash (a
 *     backslash protects the next character); missing trailing parts stay
 *     0/empty, so {@code LS} alone is a valid spec with just a name;</li>
 * <li>the name is cut to 48 bytes (escapes kept as written); host_id and
 *     offset are read like C's atoll; the path loses every backslash;</li>
 * <li>if the text after the third colon (counting every colon) contains
 *     {@code M}, the offset is the number before it times 1 MiB.</li>
 * </ul>
 * Parsing never fails; checking the values is up to the command. libsanlock's own
 * {@code sanlock_str_to_lockspace} is the same without the {@code M} rule; nothing here
 * needs that form (programs pass lockspaces as structs).
 *
 * @param name lockspace name as a byte string (see {@link Names}), at most 48 bytes
 * @param hostId host id, 0 when absent
 * @param path storage path, "" when absent
 * @param offset byte offset of the lockspace area
 */
public record LockspaceSpec(String name, long hostId, String path, long offset) {

    public static LockspaceSpec parse(String arg) {
        String[] parts = SpecStrings.splitEscaped(arg, 3);
        String name = Names.truncate(parts[0]);
        long hostId = parts.length > 1 ? CNumbers.atoll(parts[1]) : 0;
        String path = parts.length > 2 ? SpecStrings.unescape(parts[2]) : "";
        long offset = parts.length > 3 ? CNumbers.atoll(parts[3]) : 0;
        String afterThirdRaw = SpecStrings.afterRawColons(arg, 3);
        if (afterThirdRaw != null) {
            int m = afterThirdRaw.indexOf('M');
            if (m >= 0) {
                offset = CNumbers.atoll(afterThirdRaw.substring(0, m)) * Geometry.MIB;
            }
        }
        return new LockspaceSpec(name, hostId, path, offset);
    }

    /** The spec in sanlock's output form, with ':' and ' ' in the path escaped. */
    @Override
    public String toString() {
        return name + ":" + hostId + ":" + SpecStrings.escapePath(path) + ":" + offset;
    }
}
