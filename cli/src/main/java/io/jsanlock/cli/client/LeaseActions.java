package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Inquiry;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;
import io.jsanlock.wire.ResourceStrings;
import io.jsanlock.wire.WireException;

import java.io.PrintStream;
import java.util.List;

/**
 * Lease actions on a registered process or on a lease: {@code acquire}, {@code convert},
 * {@code release} and {@code inquire} (with {@code -p <pid>}; -1, the default, means the
 * CLI's own connection, which is not registered, so the daemon answers -16), and
 * {@code request} and {@code examine}.
 */
final class LeaseActions {
    private LeaseActions() {
    }

    static int run(String action, ClientActions.Context c) {
        return switch (action) {
            case "acquire" -> acquire(c);
            case "convert" -> convert(c);
            case "release" -> release(c);
            case "inquire" -> inquire(c);
            case "request" -> request(c);
            case "examine" -> examine(c);
            default -> throw new IllegalArgumentException(action);
        };
    }

    /** The per-resource flags of acquire/command: -P 1 persistent, -n N num_hosts. */
    static List<Resource> acquireResources(ClientActions.Context c) {
        Args a = c.args();
        int flags = a.atoll('P', 0) != 0 ? ResourceFlags.PERSISTENT : 0;
        int numHosts = (int) a.atoll('n', 0);
        if (numHosts != 0) {
            flags |= ResourceFlags.NUM_HOSTS;
        }
        return a.wireResources(flags, numHosts);
    }

    /** ACQUIRE command flags of acquire/command: -O 1 adopts an orphan. */
    static int acquireFlags(ClientActions.Context c) {
        return c.args().atoll('O', 0) != 0 ? CommandFlags.ACQUIRE_ORPHAN : 0;
    }

    private static int withPid(ClientActions.Context c, String name, ClientActions.Call call) {
        c.out().println(name + " pid " + c.args().pid());
        c.out().flush();
        int rv = ClientActions.rv(c, call);
        c.out().println(name + " done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static int acquire(ClientActions.Context c) {
        List<Resource> res = acquireResources(c);
        int flags = acquireFlags(c);
        return withPid(c, "acquire", () -> {
            if (res.isEmpty()) {
                EmptyAcquire.send(c.client(), c.args().pid(), flags);
            } else {
                c.client().acquire(c.args().pid(), flags, res, Options.NONE);
            }
        });
    }

    private static int convert(ClientActions.Context c) {
        List<Resource> res = c.args().wireResources(0, 0);
        return withPid(c, "convert", () -> {
            if (res.isEmpty()) {
                throw new SanlockException(SanlockError.EINVAL, "convert needs a lease: -r RESOURCE");
            }
            c.client().convert(c.args().pid(), res.get(0), 0);
        });
    }

    private static int release(ClientActions.Context c) {
        Args a = c.args();
        int pid = a.pid();
        c.out().println("release pid " + pid);
        c.out().flush();
        long rv;
        try {
            if (a.atoll('a', 0) != 0) {
                c.client().releaseAll(pid);
                rv = 0;
            } else if (a.atoll('O', 0) != 0) {
                // Orphans of the -s lockspace (all), or the one named by the first -r.
                List<Resource> res = a.wireResources(0, 0);
                String ls = res.isEmpty() ? a.lockspaceName() : res.get(0).lockspace();
                String name = res.isEmpty() ? null : res.get(0).name();
                rv = c.client().releaseOrphans(pid, ls, name);
            } else {
                c.client().release(pid, a.wireResources(0, 0));
                rv = 0;
            }
        } catch (SanlockException e) {
            rv = c.code(e);
        }
        c.out().println("release done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static int inquire(ClientActions.Context c) {
        if (c.json()) {
            return ClientJson.inquire(c);
        }
        PrintStream out = c.out();
        int pid = c.args().pid();
        out.println("inquire pid " + pid);
        Inquiry q;
        try {
            q = c.client().inquire(pid);
        } catch (SanlockException e) {
            out.println("inquire done " + c.code(e) + " res_count 0");
            return 1;
        }
        out.println("inquire done 0 res_count " + q.count());
        out.println("\"" + (q.state().isEmpty() ? "(null)" : q.state()) + "\"");
        if (!c.args().debug() || q.state().isEmpty()) {
            // (sanlock 3.8.5 crashes on -D with no leases; jsanlock prints only the state.)
            return 0;
        }
        List<Resource> leases;
        try {
            leases = ResourceStrings.parseState(q.state());
        } catch (WireException e) {
            out.println();
            out.println("state_to_args done " + c.code(e) + " res_count 0");
            return 1;
        }
        out.println();
        out.println("state_to_args done 0 res_count " + leases.size());
        for (Resource r : leases) {
            Disk d = r.disks().isEmpty() ? new Disk("", 0) : r.disks().get(0);
            out.println("\"" + r.lockspace() + ":" + r.name() + ":" + d.path() + ":" + Long.toUnsignedString(d.offset())
                    + ":" + Long.toUnsignedString(r.lver()) + "\"");
        }
        out.println();
        out.println("args_to_state done 0");
        out.println("\"" + ResourceStrings.toState(leases) + "\"");
        return 0;
    }

    private static int request(ClientActions.Context c) {
        List<Resource> res = c.args().wireResources(0, 0);
        int force = (int) c.args().strtoul('f', 0);
        return ClientActions.progress(c, "request", () -> {
            if (res.isEmpty()) {
                throw new SanlockException(SanlockError.EINVAL, "request needs a lease: -r RESOURCE");
            }
            c.client().request(res.get(0), force, false);
        });
    }

    private static int examine(ClientActions.Context c) {
        List<Resource> res = c.args().wireResources(0, 0);
        return ClientActions.progress(c, "examine", () -> {
            if (!res.isEmpty()) {
                c.client().examine(res.get(0));
            } else if (c.args().lockspacePathGiven()) {
                c.client().examine(c.args().wireLockspace(0));
            } else {
                throw new SanlockException(SanlockError.EINVAL, "examine needs -r RESOURCE or -s LOCKSPACE with a path");
            }
        });
    }
}
