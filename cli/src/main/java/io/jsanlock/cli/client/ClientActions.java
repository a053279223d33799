package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.DaemonVersion;
import io.jsanlock.client.LockspaceState;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code sanlock client <action>}: the actions that talk to a daemon (the reference's or
 * jsanlock's) over its socket, with sanlock 3.8.5's progress lines and exit statuses
 * (wire.md 7.4, 7.5). Every failure is shown the way sanlock shows it: the raw result in
 * the action's {@code … done <rv>} / {@code … error <rv>} line, never as text. With
 * {@code JSANLOCK_EXPLAIN=1} the explanation goes to stderr as well, prefixed
 * {@code jsanlock:}: what the CLI knows, and the daemon's own reason when the daemon is
 * jsanlock's ({@link Explanation}).
 */
public final class ClientActions {
    /** Every action sanlock's {@code client} accepts (align, write and version are not in its usage text). */
    public static final Set<String> ACTIONS = Set.of("status", "host_status", "renewal", "gets", "log_dump", "shutdown",
            "add_lockspace", "inq_lockspace", "rem_lockspace", "command", "acquire", "convert", "release", "inquire",
            "request", "examine", "align", "init", "write", "read", "version", "set_event", "set_config", "format",
            "rebuild", "create", "delete", "lookup", "update");

    private ClientActions() {
    }

    public static boolean known(String action) {
        return ACTIONS.contains(action);
    }

    /** Runs one client action, explaining failures when the environment asks for it; returns the exit status. */
    public static int run(String action, Args a, PrintStream out, PrintStream err) {
        return run(action, a, out, err, io.jsanlock.cli.Explain.requested());
    }

    /**
     * Runs one client action; returns the exit status.
     *
     * @param err     stderr: where sanlock's own stderr lines go, and explanations when asked for
     * @param explain whether to explain failures on {@code err}
     */
    public static int run(String action, Args a, PrintStream out, PrintStream err, boolean explain) {
        return run(action, a, out, err, explain, false);
    }

    /**
     * Runs one client action; with {@code json} (jsanlock's {@code --json}, taken by status,
     * host_status, gets and inquire) the answer is one JSON document instead of sanlock's lines.
     */
    public static int run(String action, Args a, PrintStream out, PrintStream err, boolean explain, boolean json) {
        return run(action, a, out, err, explain, json, false);
    }

    /** As above; with {@code verbose} (jsanlock's {@code -v}) a slow call reports its progress on stderr ({@link Progress}). */
    public static int run(String action, Args a, PrintStream out, PrintStream err, boolean explain, boolean json,
                          boolean verbose) {
        SanlockClient client = new SanlockClient();
        Context c = new Context(client, a, out, err, action, explain, json, verbose);
        return switch (action) {
            case "status" -> StatusActions.status(c);
            case "host_status" -> StatusActions.hostStatus(c);
            case "renewal" -> StatusActions.renewal(c);
            case "gets" -> StatusActions.gets(c);
            case "log_dump" -> logDump(c);
            case "shutdown" -> shutdown(c);
            case "add_lockspace" -> addLockspace(c);
            case "inq_lockspace" -> inqLockspace(c);
            case "rem_lockspace" -> remLockspace(c);
            case "command" -> CommandAction.run(c);
            case "acquire", "convert", "release", "inquire", "request", "examine" -> LeaseActions.run(action, c);
            case "align" -> align(c);
            case "init", "write" -> StorageActions.init(c);
            case "read" -> StorageActions.read(c);
            case "version" -> version(c);
            case "set_event" -> setEvent(c);
            case "set_config" -> setConfig(c);
            case "format", "rebuild", "create", "delete", "lookup", "update" -> RindexActions.client(action, c);
            default -> {
                out.println("client action \"" + action + "\" is unknown");
                yield 1;
            }
        };
    }

    /**
     * What an action needs: the daemon client, the options, the two output streams, the
     * action's name and whether failures are explained.
     */
    record Context(SanlockClient client, Args args, PrintStream out, PrintStream err, String action, boolean explain,
                   boolean json, boolean verbose) {
        /**
         * The result code of a failed call; explained on stderr when asked for (sanlock
         * prints only the number, and so does jsanlock by default).
         */
        int code(SanlockException e) {
            if (explain) {
                out.flush();
                for (String line : Explanation.of(action, e, client.socketPathBytes())) {
                    err.println("jsanlock: " + line);
                }
            }
            return e.code();
        }
    }

    /** An operation whose only outcome is a result code. */
    @FunctionalInterface
    interface Call {
        void run() throws SanlockException;
    }

    static int rv(Context c, Call call) {
        try (Progress _ = Progress.start(c)) {
            call.run();
            return 0;
        } catch (SanlockException e) {
            return c.code(e);
        }
    }

    /** {@code <name>} / {@code <name> done <rv>}, exit 0 only for 0. */
    static int progress(Context c, String name, Call call) {
        return progress(c, name, "", call);
    }

    /** {@code <name><detail>} / {@code <name> done <rv>}. */
    static int progress(Context c, String name, String detail, Call call) {
        c.out().println(name + detail);
        c.out().flush();
        int rv = rv(c, call);
        c.out().println(name + " done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static int logDump(Context c) {
        String text;
        try {
            text = c.client().logDump();
        } catch (SanlockException e) {
            c.code(e);
            return 1;
        }
        c.out().print(text);
        c.out().print('\n');
        // sanlock's result is the byte count, so any output means exit 1.
        return text.isEmpty() ? 0 : 1;
    }

    private static int shutdown(Context c) {
        long force = c.args().strtoul('f', 0);
        long wait = c.args().atoll('w', 0);
        c.out().println("shutdown force " + force + " wait " + wait);
        c.out().flush();
        int rv = rv(c, () -> {
            if (wait != 0) {
                c.client().shutdownWait(force != 0);
            } else {
                c.client().shutdown(force != 0);
            }
        });
        c.out().println("shutdown done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static int addLockspace(Context c) {
        Lockspace ls = c.args().wireLockspace(0);
        long o = c.args().atoll('o', 0);
        int ioTimeout = o == 0 ? 10 : (int) o;
        if (c.verbose()) {
            Progress.expectJoin(c, ls, ioTimeout);
        }
        if (ioTimeout == 10) {
            return progress(c, "add_lockspace", () -> c.client().addLockspace(ls, 0, false));
        }
        // Another io_timeout than the default: sanlock names it and sends it in data.
        return progress(c, "add_lockspace_timeout", " " + ioTimeout, () -> c.client().addLockspace(ls, ioTimeout, false));
    }

    private static int inqLockspace(Context c) {
        Lockspace ls = c.args().wireLockspace(0);
        c.out().println("inq_lockspace");
        c.out().flush();
        int rv;
        try {
            LockspaceState s = c.client().inqLockspace(ls, false);
            rv = switch (s) {
                case JOINED -> 0;
                case IN_PROGRESS -> -115;
                case ABSENT -> -2;
            };
            if (rv != 0 && c.explain()) {
                c.err().println("jsanlock: inq_lockspace: lockspace " + ls.name() + (rv == -2 ? " is not joined on this host"
                        : " is being joined or left (in progress)"));
            }
        } catch (SanlockException e) {
            rv = c.code(e);
        }
        c.out().println("inq_lockspace done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static int remLockspace(Context c) {
        Lockspace ls = c.args().wireLockspace(0);
        return progress(c, "rem_lockspace", () -> c.client().remLockspace(ls, false, false));
    }

    private static int align(Context c) {
        c.out().println("align");
        c.out().flush();
        long rv;
        try {
            rv = c.client().getAlignment(c.args().wireLockspace(0).disk());
        } catch (SanlockException e) {
            rv = c.code(e);
        }
        c.out().println("align done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static int version(Context c) {
        DaemonVersion v;
        try {
            v = c.client().version();
        } catch (SanlockException e) {
            c.out().println("daemon version error " + c.code(e));
            v = new DaemonVersion(0, 0);
        }
        c.out().println("client version 3.8.5 (0x03080500)");
        c.out().println("daemon version " + v.text() + " (0x" + String.format("%08x", v.version()) + ")");
        c.out().println("client socket protocol 0.1");
        c.out().println("daemon socket protocol " + v.protocolText());
        return 0;
    }

    private static int setEvent(Context c) {
        Args a = c.args();
        HostEvent he = new HostEvent(a.strtoul('i', 0), a.strtoul('g', 0), a.strtoul('e', 0), a.strtoul('d', 0));
        c.out().println("set_event " + he.hostId() + " " + he.generation() + " event 0x" + Long.toHexString(he.event())
                + " data 0x" + Long.toHexString(he.data()));
        c.out().flush();
        int rv = rv(c, () -> c.client().setEvent(a.lockspaceName(), he, 0));
        c.out().println("set_event done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static int setConfig(Context c) {
        Args a = c.args();
        int cmd = 0;
        if (a.has('u')) {
            cmd = a.atoll('u', 0) != 0 ? CommandFlags.CONFIG_USED : CommandFlags.CONFIG_UNUSED;
        } else if (a.has('O')) {
            cmd = a.atoll('O', 0) != 0 ? CommandFlags.CONFIG_USED_BY_ORPHANS : CommandFlags.CONFIG_UNUSED_BY_ORPHANS;
        }
        int configCmd = cmd;
        c.out().println("set_config " + a.lockspaceName() + " " + configCmd);
        c.out().flush();
        int rv = rv(c, () -> c.client().setConfig(a.lockspaceName(), configCmd));
        c.out().println("set_config done " + rv);
        return rv == 0 ? 0 : 1;
    }

    static List<Resource> resources(Context c, int extraFlags, int data32) {
        return c.args().wireResources(extraFlags, data32);
    }
}
