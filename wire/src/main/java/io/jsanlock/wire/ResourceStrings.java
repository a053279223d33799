package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.format.SpecStrings;

import java.util.ArrayList;
import java.util.List;

/**
 * The text forms of leases (wire.md 7.3 and 9) in wire types: resource state strings as
 * INQUIRE returns them and libvirt stores them, and LOCKSPACE arguments. The parsing itself
 * is the one parser in {@code format} ({@link ResourceSpec}, {@link LockspaceSpec}), which
 * the command line uses too; failures carry the codes libsanlock returns (-6 too short,
 * -1 bad field, -2 too many disks).
 */
public final class ResourceStrings {
    private ResourceStrings() {}

    /** Escapes {@code :} and space with a backslash; an existing backslash and the character after it are copied unchanged. */
    public static String exportPath(String path) {
        return SpecStrings.escapePath(path);
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
            throw new WireException(ResourceSpec.ERR_SHORT, "empty resource state string");
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
     * Parses one RESOURCE string {@code ls:name:path:offset[:path:offset]…[:lver|:SH]} as
     * libsanlock's {@code sanlock_str_to_res} does ({@link ResourceSpec.Syntax#LIBRARY}: no
     * {@code M} rule, that is the command line's).
     */
    public static Resource parseResource(@Nullable String s) throws WireException {
        if (s == null) {
            throw new WireException(ResourceSpec.ERR_SHORT, "resource string too short: \"null\"");
        }
        ResourceSpec spec;
        try {
            spec = ResourceSpec.parse(s, ResourceSpec.Syntax.LIBRARY);
        } catch (SanlockException e) {
            throw new WireException(e.code(), String.valueOf(e.getMessage()));
        }
        List<Disk> ds = new ArrayList<>(spec.disks().size());
        for (ResourceSpec.Disk d : spec.disks()) {
            ds.add(new Disk(d.path(), d.offset()));
        }
        int flags = (spec.shared() ? ResourceFlags.SHARED : 0) | (spec.hasLver() ? ResourceFlags.LVER : 0);
        return new Resource(spec.lockspaceName(), spec.name(), spec.lver(), 0, 0, flags, ds.size(), ds);
    }

    /**
     * Parses a LOCKSPACE argument {@code name:host_id:path:offset} as the {@code sanlock}
     * command line does ({@link LockspaceSpec#parse}, with its {@code M} rule on the offset).
     */
    public static Lockspace parseLockspace(String s) {
        LockspaceSpec spec = LockspaceSpec.parse(s);
        return Lockspace.of(spec.name(), spec.hostId(), spec.path(), spec.offset());
    }
}
