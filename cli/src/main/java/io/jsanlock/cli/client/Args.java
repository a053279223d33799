package io.jsanlock.cli.client;

import io.jsanlock.format.CNumbers;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parsed options of one {@code client}/{@code direct} action, in the form the
 * actions need them. The command line itself is parsed (and its errors reported) by the
 * shared {@code SanlockOptions}; this is its view for the client actions, built by
 * {@code io.jsanlock.cli.ClientEntry}.
 *
 * @param raw      the value text of every option letter that has one (last occurrence)
 * @param program  the program and its arguments after {@code -c} (empty when none)
 */
public record Args(boolean debug, LockspaceSpec lockspace, List<ResourceSpec> resources, int sectorSize,
                   long alignSize, Map<Character, String> raw, List<String> program) {

    public Args {
        resources = List.copyOf(resources);
        program = List.copyOf(program);
        raw = Map.copyOf(raw);
    }

    public boolean has(char c) {
        return raw.containsKey(c);
    }

    public String text(char c) {
        return raw.get(c);
    }

    /** atoi/atoll of the option's value (0 when absent), as sanlock reads most numbers. */
    public long atoll(char c, long absent) {
        String v = raw.get(c);
        return v == null ? absent : CNumbers.atoll(v);
    }

    /** strtoul(…, 0) of the option's value: C prefixes 0x/0 accepted. */
    public long strtoul(char c, long absent) {
        String v = raw.get(c);
        return v == null ? absent : CNumbers.strtoull0(v);
    }

    /** -p: the target pid, -1 (our own registration) when absent. */
    public int pid() {
        return (int) atoll('p', -1);
    }

    /** The -s lockspace as sent on the wire: a zeroed struct when -s was not given. */
    public Lockspace wireLockspace(int flags) {
        if (lockspace == null) {
            return new Lockspace("", 0, flags, new Disk("", 0));
        }
        return new Lockspace(lockspace.name(), lockspace.hostId(), flags, new Disk(lockspace.path(), lockspace.offset()));
    }

    public String lockspaceName() {
        return lockspace == null ? "" : lockspace.name();
    }

    public boolean lockspacePathGiven() {
        return lockspace != null && !lockspace.path().isEmpty();
    }

    /** The -r resources as sent on the wire; {@code extraFlags} are OR-ed into each. */
    public List<Resource> wireResources(int extraFlags, int data32) {
        List<Resource> out = new ArrayList<>(resources.size());
        for (ResourceSpec r : resources) {
            out.add(wireResource(r, extraFlags, data32));
        }
        return out;
    }

    public static Resource wireResource(ResourceSpec r, int extraFlags, int data32) {
        List<Disk> disks = new ArrayList<>(r.disks().size());
        for (ResourceSpec.Disk d : r.disks()) {
            disks.add(new Disk(d.path(), d.offset()));
        }
        int flags = extraFlags | (r.hasLver() ? ResourceFlags.LVER : 0) | (r.shared() ? ResourceFlags.SHARED : 0);
        return new Resource(r.lockspaceName(), r.name(), r.lver(), 0, data32, flags, disks.size(), disks);
    }

    /**
     * SECTOR and ALIGN flags from -Z/-A, each when given: -Z without a usable -A is sent as
     * it is, and the daemon judges it (the reference answers -1).
     */
    public int geometryFlags() {
        return ResourceFlags.sectorFlag(sectorSize) | ResourceFlags.alignFlag(alignSize);
    }

    /** The value of every option letter in {@code args[from..]} (last occurrence wins; -c ends parsing). */
    public static Map<Character, String> collect(String[] args, int from) {
        Map<Character, String> m = new java.util.HashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.length() != 2 || a.charAt(0) != '-' || a.charAt(1) == 'D') {
                continue;
            }
            if (a.charAt(1) == 'c' || i + 1 >= args.length) {
                break;
            }
            m.put(a.charAt(1), args[++i]);
        }
        return m;
    }

    /** The last value given to option {@code letter} in {@code args[from..]} (sanlock's syntax), or null. */
    public static String lastValue(String[] args, int from, char letter) {
        String value = null;
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.length() != 2 || a.charAt(0) != '-' || a.charAt(1) == 'D') {
                continue;
            }
            if (a.charAt(1) == 'c') {
                break;
            }
            if (i + 1 < args.length) {
                if (a.charAt(1) == letter) {
                    value = args[i + 1];
                }
                i++;
            }
        }
        return value;
    }
}
