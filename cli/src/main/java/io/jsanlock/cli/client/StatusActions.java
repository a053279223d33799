package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Renewals;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostState;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.LockspaceFlags;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceStrings;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code client status}, {@code host_status}, {@code renewal} and {@code gets} (wire.md 7.5, 7.5.1). */
final class StatusActions {
    /** sanlock refuses to sort more records than this. */
    private static final int MAX_SORT = 1024;
    private static final int NAME_LEN = 48;

    private StatusActions() {
    }

    static int status(ClientActions.Context c) {
        if (c.json()) {
            return ClientJson.status(c);
        }
        List<StateRecord> records;
        try {
            records = c.client().status(0);
        } catch (SanlockException e) {
            c.code(e);
            return 1;
        }
        String o = c.args().text('o');
        char sort = o == null || o.isEmpty() ? 0 : o.charAt(0);
        boolean debug = c.args().debug();
        if (sort != 'p' && sort != 's') {
            for (StateRecord r : records) {
                print(c.out(), r, debug);
            }
            return 0;
        }
        if (records.size() > MAX_SORT) {
            c.out().println("cannot sort over " + MAX_SORT);
            return 0;
        }
        for (StateRecord r : sort == 'p' ? byPid(records) : byLockspace(records)) {
            if (r == null) {
                c.out().println("-");
            } else {
                print(c.out(), r, debug);
            }
        }
        return 0;
    }

    /**
     * {@code -o p}: daemon, clients with pid -1, lockspaces, then each remaining client
     * followed by its resources; leftovers after a {@code -} line (null here).
     */
    private static List<StateRecord> byPid(List<StateRecord> records) {
        List<StateRecord> left = new ArrayList<>(records);
        List<StateRecord> out = new ArrayList<>();
        take(left, out, r -> r.type() == StateType.DAEMON);
        take(left, out, r -> r.type() == StateType.CLIENT && r.data32() == -1);
        take(left, out, r -> r.type() == StateType.LOCKSPACE);
        while (true) {
            StateRecord client = null;
            for (StateRecord r : left) {
                if (r.type() == StateType.CLIENT) {
                    client = r;
                    break;
                }
            }
            if (client == null) {
                break;
            }
            left.remove(client);
            out.add(client);
            int pid = client.data32();
            take(left, out, r -> r.type() == StateType.RESOURCE && r.data32() == pid);
        }
        finish(left, out);
        return out;
    }

    /** {@code -o s}: daemon, clients (pid -1 first), then each lockspace followed by its resources. */
    private static List<StateRecord> byLockspace(List<StateRecord> records) {
        List<StateRecord> left = new ArrayList<>(records);
        List<StateRecord> out = new ArrayList<>();
        take(left, out, r -> r.type() == StateType.DAEMON);
        take(left, out, r -> r.type() == StateType.CLIENT && r.data32() == -1);
        take(left, out, r -> r.type() == StateType.CLIENT);
        while (true) {
            StateRecord ls = null;
            for (StateRecord r : left) {
                if (r.type() == StateType.LOCKSPACE) {
                    ls = r;
                    break;
                }
            }
            if (ls == null) {
                break;
            }
            left.remove(ls);
            out.add(ls);
            String name = ls.name();
            take(left, out, r -> r.type() == StateType.RESOURCE && r.resource() != null
                    && r.resource().lockspace().equals(name));
        }
        finish(left, out);
        return out;
    }

    private static void take(List<StateRecord> left, List<StateRecord> out, java.util.function.Predicate<StateRecord> p) {
        for (var it = left.iterator(); it.hasNext(); ) {
            StateRecord r = it.next();
            if (p.test(r)) {
                out.add(r);
                it.remove();
            }
        }
    }

    /** Leftovers that sanlock prints (HOST and RENEWAL records are never printed). */
    private static void finish(List<StateRecord> left, List<StateRecord> out) {
        left.removeIf(r -> r.type() == StateType.HOST || r.type() == StateType.RENEWAL);
        if (!left.isEmpty()) {
            out.add(null);
            out.addAll(left);
        }
    }

    private static void print(PrintStream out, StateRecord r, boolean debug) {
        String line = line(r);
        if (line == null) {
            return;
        }
        out.println(line);
        if (debug) {
            printText(out, r.text());
        }
    }

    /** The record's text, one item per line, indented four spaces (split at every space). */
    static void printText(PrintStream out, String text) {
        for (String item : text.split(" ", -1)) {
            out.println("    " + item);
        }
    }

    private static String cut(String name) {
        return name.length() > NAME_LEN ? name.substring(0, NAME_LEN) : name;
    }

    private static String line(StateRecord r) {
        String text = r.text();
        switch (r.type()) {
            case DAEMON:
                return "daemon " + cut(r.name());
            case CLIENT:
                return "p " + r.data32() + " " + cut(r.name());
            case LOCKSPACE: {
                Lockspace ls = r.lockspace();
                StringBuilder b = new StringBuilder("s ").append(cut(ls.name())).append(':').append(ls.hostId())
                        .append(':').append(ResourceStrings.exportPath(ls.disk().path())).append(':')
                        .append(ls.disk().offset());
                if (text.contains("list=add")) {
                    b.append(" ADD");
                } else if (text.contains("list=rem")) {
                    b.append(" REM");
                }
                return b.toString();
            }
            case RESOURCE: {
                Resource res = r.resource();
                StringBuilder b = new StringBuilder("r ").append(cut(res.lockspace())).append(':').append(cut(res.name()));
                for (Disk d : res.disks()) {
                    b.append(':').append(ResourceStrings.exportPath(d.path())).append(':').append(d.offset());
                }
                if (res.shared()) {
                    b.append(":SH");
                } else {
                    b.append(':').append(Long.toUnsignedString(r.data64()));
                }
                b.append(" p ").append(Integer.toUnsignedString(r.data32()));
                if (text.contains("list=add")) {
                    b.append(" ADD");
                } else if (text.contains("list=rem")) {
                    b.append(" REM");
                } else if (text.contains("list=orphan")) {
                    b.append(" ORPHAN");
                }
                return b.toString();
            }
            default:
                return null;
        }
    }

    static int hostStatus(ClientActions.Context c) {
        if (c.json()) {
            return ClientJson.hostStatus(c);
        }
        String name = c.args().lockspaceName();
        if (!name.isEmpty()) {
            return hostLines(c, name) ? 0 : 1;
        }
        List<StateRecord> records;
        try {
            records = c.client().status(3);
        } catch (SanlockException e) {
            c.code(e);
            return 1;
        }
        for (StateRecord r : records) {
            if (r.type() == StateType.LOCKSPACE) {
                c.out().println("lockspace " + cut(r.name()));
                hostLines(c, r.name());
            }
        }
        return 0;
    }

    private static boolean hostLines(ClientActions.Context c, String lockspace) {
        List<StateRecord> hosts;
        try {
            hosts = c.client().hostStatus(lockspace);
        } catch (SanlockException e) {
            c.code(e);
            return false;
        }
        for (StateRecord h : hosts) {
            c.out().println(h.data32() + " timestamp " + Long.toUnsignedString(h.data64()));
            if (c.args().debug()) {
                printText(c.out(), h.text());
            }
        }
        return true;
    }

    static int renewal(ClientActions.Context c) {
        Renewals r;
        try {
            r = c.client().renewal(c.args().lockspaceName());
        } catch (SanlockException e) {
            c.code(e);
            return 1;
        }
        for (StateRecord rec : r.records()) {
            c.out().println(rec.text());
        }
        return 0;
    }

    static int gets(ClientActions.Context c) {
        if (c.json()) {
            return ClientJson.gets(c);
        }
        List<Lockspace> spaces;
        try {
            spaces = c.client().getLockspaces();
        } catch (SanlockException e) {
            int rv = c.code(e);
            c.out().println("gets error " + rv);
            // sanlock tolerates a reply too large for its buffer (-28) and exits 0.
            return rv == -28 ? 0 : 1;
        }
        boolean hosts = c.args().atoll('h', 0) != 0;
        for (Lockspace ls : spaces) {
            String flags = (ls.flags() & LockspaceFlags.ADD) != 0 ? "ADD " : (ls.flags() & LockspaceFlags.REM) != 0 ? "REM " : "";
            c.out().println("s " + cut(ls.name()) + ":" + ls.hostId() + ":" + ls.disk().path() + ":" + ls.disk().offset()
                    + " " + flags);
            if (!hosts) {
                continue;
            }
            List<Host> list;
            try {
                list = c.client().getHosts(ls.name(), 0);
            } catch (SanlockException e) {
                int rv = c.code(e);
                c.out().println(rv == -11 ? "hosts not ready" : "hosts error " + rv);
                continue;
            }
            for (Host h : list) {
                HostState s = h.state();
                String state = s == null || s == HostState.NONE ? "ERROR" : s.name();
                c.out().println("h " + h.hostId() + " gen " + h.generation() + " timestamp " + h.timestamp() + " " + state);
            }
        }
        return 0;
    }
}
