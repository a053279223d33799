package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.cli.json.JsonWriter;
import io.jsanlock.client.Inquiry;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostState;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.LockspaceFlags;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceStrings;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;
import io.jsanlock.wire.WireException;

import java.util.List;
import java.util.Map;

/**
 * jsanlock's {@code --json} answers of {@code client status}, {@code host_status},
 * {@code gets} and {@code inquire} (docs/schema/jsanlock-output.schema.json): the same
 * daemon replies as sanlock's lines, as one JSON document. A failed call prints
 * {@code {"command":…,"error":{"code":rv}}} and exits 1, where sanlock's text would.
 */
final class ClientJson {
    private ClientJson() {
    }

    static int status(ClientActions.Context c) {
        List<StateRecord> records;
        try {
            records = c.client().status(0);
        } catch (SanlockException e) {
            return error(c, "client status", c.code(e));
        }
        JsonWriter j = start("client status");
        for (StateRecord r : records) {
            if (r.type() == StateType.DAEMON) {
                j.name("daemon").beginObject().bytes("name", r.name());
                details(j, r);
                j.endObject();
            }
        }
        j.name("clients").beginArray();
        for (StateRecord r : records) {
            if (r.type() == StateType.CLIENT) {
                j.beginObject().member("pid", r.data32()).bytes("name", r.name());
                details(j, r);
                j.endObject();
            }
        }
        j.endArray().name("lockspaces").beginArray();
        for (StateRecord r : records) {
            if (r.type() == StateType.LOCKSPACE) {
                Lockspace ls = r.lockspace();
                j.beginObject().bytes("name", ls.name()).memberUnsigned("host_id", ls.hostId())
                        .bytes("path", ls.disk().path()).memberUnsigned("offset", ls.disk().offset());
                list(j, r.text());
                details(j, r);
                j.endObject();
            }
        }
        j.endArray().name("resources").beginArray();
        for (StateRecord r : records) {
            if (r.type() == StateType.RESOURCE) {
                Resource res = r.resource();
                j.beginObject().bytes("lockspace", res.lockspace()).bytes("name", res.name());
                disks(j, res.disks());
                j.member("mode", res.shared() ? "SH" : "EX");
                if (!res.shared()) {
                    j.memberUnsigned("lver", r.data64());
                }
                j.member("pid", Integer.toUnsignedLong(r.data32()));
                list(j, r.text());
                details(j, r);
                j.endObject();
            }
        }
        j.endArray().endObject();
        c.out().print(j);
        return 0;
    }

    static int hostStatus(ClientActions.Context c) {
        String name = c.args().lockspaceName();
        JsonWriter j = start("client host_status");
        j.name("lockspaces").beginArray();
        if (!name.isEmpty()) {
            Integer rv = hosts(c, j, name);
            if (rv != null) {
                return error(c, "client host_status", rv);
            }
        } else {
            List<StateRecord> records;
            try {
                records = c.client().status(3);
            } catch (SanlockException e) {
                return error(c, "client host_status", c.code(e));
            }
            for (StateRecord r : records) {
                if (r.type() == StateType.LOCKSPACE) {
                    Integer rv = hosts(c, j, r.name());
                    if (rv != null) {
                        // sanlock's text goes on with the next lockspace; so does the document.
                        j.beginObject().bytes("name", r.name()).name("error").beginObject().member("code", rv).endObject()
                                .endObject();
                    }
                }
            }
        }
        j.endArray().endObject();
        c.out().print(j);
        return 0;
    }

    /** One lockspace's hosts into {@code j}; the failure code (nothing written) or null. */
    private static Integer hosts(ClientActions.Context c, JsonWriter j, String lockspace) {
        List<StateRecord> hosts;
        try {
            hosts = c.client().hostStatus(lockspace);
        } catch (SanlockException e) {
            return c.code(e);
        }
        j.beginObject().bytes("name", lockspace).name("hosts").beginArray();
        for (StateRecord h : hosts) {
            j.beginObject().member("host_id", h.data32()).memberUnsigned("timestamp", h.data64());
            details(j, h);
            j.endObject();
        }
        j.endArray().endObject();
        return null;
    }

    static int gets(ClientActions.Context c) {
        List<Lockspace> spaces;
        try {
            spaces = c.client().getLockspaces();
        } catch (SanlockException e) {
            int rv = c.code(e);
            error(c, "client gets", rv);
            return rv == -28 ? 0 : 1;
        }
        boolean withHosts = c.args().atoll('h', 0) != 0;
        JsonWriter j = start("client gets");
        j.name("lockspaces").beginArray();
        for (Lockspace ls : spaces) {
            j.beginObject().bytes("name", ls.name()).memberUnsigned("host_id", ls.hostId()).bytes("path", ls.disk().path())
                    .memberUnsigned("offset", ls.disk().offset());
            if ((ls.flags() & LockspaceFlags.ADD) != 0) {
                j.member("list", "add");
            } else if ((ls.flags() & LockspaceFlags.REM) != 0) {
                j.member("list", "rem");
            }
            if (withHosts) {
                try {
                    List<Host> list = c.client().getHosts(ls.name(), 0);
                    j.name("hosts").beginArray();
                    for (Host h : list) {
                        HostState s = h.state();
                        j.beginObject().memberUnsigned("host_id", h.hostId()).memberUnsigned("generation", h.generation())
                                .memberUnsigned("timestamp", h.timestamp()).member("io_timeout", h.ioTimeout())
                                .member("state", s == null || s == HostState.NONE ? "ERROR" : s.name()).endObject();
                    }
                    j.endArray();
                } catch (SanlockException e) {
                    j.name("hosts_error").beginObject().member("code", c.code(e)).endObject();
                }
            }
            j.endObject();
        }
        j.endArray().endObject();
        c.out().print(j);
        return 0;
    }

    static int inquire(ClientActions.Context c) {
        int pid = c.args().pid();
        Inquiry q;
        try {
            q = c.client().inquire(pid);
        } catch (SanlockException e) {
            return error(c, "client inquire", c.code(e));
        }
        JsonWriter j = start("client inquire").member("pid", pid).member("count", q.count()).bytes("state", q.state());
        j.name("resources").beginArray();
        Integer parseError = null;
        if (!q.state().isEmpty()) {
            try {
                for (Resource r : ResourceStrings.parseState(q.state())) {
                    j.beginObject().bytes("lockspace", r.lockspace()).bytes("name", r.name());
                    disks(j, r.disks());
                    j.member("mode", r.shared() ? "SH" : "EX").memberUnsigned("lver", r.lver()).endObject();
                }
            } catch (WireException e) {
                parseError = c.code(e);
            }
        }
        j.endArray();
        if (parseError != null) {
            j.name("state_error").beginObject().member("code", parseError).endObject();
        }
        j.endObject();
        c.out().print(j);
        return parseError == null ? 0 : 1;
    }

    private static JsonWriter start(String command) {
        return new JsonWriter().beginObject().member("command", command);
    }

    private static int error(ClientActions.Context c, String command, int code) {
        c.out().print(start(command).name("error").beginObject().member("code", code).endObject().endObject());
        return 1;
    }

    private static void disks(JsonWriter j, List<Disk> disks) {
        j.name("disks").beginArray();
        for (Disk d : disks) {
            j.beginObject().bytes("path", d.path()).memberUnsigned("offset", d.offset()).endObject();
        }
        j.endArray();
    }

    /** The list a record is on in the daemon ({@code list=add|rem|orphan} in its text), when not the main one. */
    private static void list(JsonWriter j, String text) {
        for (String l : new String[] {"add", "rem", "orphan"}) {
            if (text.contains("list=" + l)) {
                j.member("list", l);
                return;
            }
        }
    }

    /** The record's {@code key=value} text (what {@code -D} prints), every value a byte string. */
    private static void details(JsonWriter j, StateRecord r) {
        Map<String, String> fields = r.fields();
        if (fields.isEmpty()) {
            return;
        }
        j.name("details").beginObject();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            j.bytes(f.getKey(), f.getValue());
        }
        j.endObject();
    }
}
