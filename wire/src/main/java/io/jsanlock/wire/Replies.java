package io.jsanlock.wire;

import io.jsanlock.base.SanlockError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reply messages, both directions (wire.md 2.2): {@code encode*} builds what the daemon
 * sends for a request header, {@code read*} decodes a reply body on the client side from
 * the reply header and the stream. Counts and lengths in a reply are checked against
 * each other and against the protocol's limits before any buffer is sized from them.
 */
public final class Replies {
    private Replies() {}

    // ---------------------------------------------------------------- daemon side

    /** The plain "result reply": request header copied, version 1, length 32, data = result, data2 = 0. */
    public static ByteBuffer result(Header request, int result) {
        return request.resultReply(result, 0, 0).toBuffer();
    }

    /** VERSION: cmd_flags and seq zeroed, data 0, data2 = daemon version. */
    public static ByteBuffer version(Header request, int daemonVersion) {
        return new Header(Header.MAGIC, Limits.PROTOCOL_VERSION, request.cmd(), 0, Header.SIZE, 0, 0, daemonVersion).toBuffer();
    }

    /** The final SHUTDOWN_WAIT reply: cmd 0, flags 0, seq 0, data 0. */
    public static ByteBuffer shutdownWaitDone() {
        return new Header(Header.MAGIC, Limits.PROTOCOL_VERSION, 0, 0, Header.SIZE, 0, 0, 0).toBuffer();
    }

    /**
     * INQUIRE: data2 = lease count; a body (state string + NUL) is sent when count ≥ 1.
     * {@code state} null with count ≥ 1 sends a single NUL (the reference's -81 case).
     */
    public static ByteBuffer inquire(Header request, int result, int count, String state) {
        byte[] s = count > 0 ? Fields.bytes(state == null ? "" : state) : null;
        int body = s == null ? 0 : s.length + 1;
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + body).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, count, body).encode(b);
        if (s != null) {
            b.put(s).put((byte) 0);
        }
        return b.flip();
    }

    public static ByteBuffer lockspaces(Header request, int result, List<Lockspace> spaces, int totalCount) throws WireException {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + spaces.size() * Lockspace.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, totalCount, spaces.size() * Lockspace.SIZE).encode(b);
        for (Lockspace ls : spaces) {
            ls.encode(b);
        }
        return b.flip();
    }

    public static ByteBuffer hosts(Header request, int result, List<Host> hosts) {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + hosts.size() * Host.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, hosts.size(), hosts.size() * Host.SIZE).encode(b);
        for (Host h : hosts) {
            h.encode(b);
        }
        return b.flip();
    }

    /** READ_LOCKSPACE: data2 = io_timeout, body always one lockspace (even on error). */
    public static ByteBuffer readLockspace(Header request, int result, int ioTimeout, Lockspace ls) throws WireException {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + Lockspace.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, ioTimeout, Lockspace.SIZE).encode(b);
        ls.encode(b);
        return b.flip();
    }

    /** READ_RESOURCE: body always one 128-byte resource. */
    public static ByteBuffer readResource(Header request, int result, Resource res) throws WireException {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + Resource.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, 0, Resource.SIZE).encode(b);
        res.encode(b, false);
        return b.flip();
    }

    public static ByteBuffer readResourceOwners(Header request, int result, Resource res, List<Host> owners) throws WireException {
        int body = Resource.SIZE + owners.size() * Host.SIZE;
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + body).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, owners.size(), body).encode(b);
        res.encode(b, false);
        for (Host h : owners) {
            h.encode(b);
        }
        return b.flip();
    }

    public static ByteBuffer lvb(Header request, int result, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + data.length).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, 0, data.length).encode(b);
        b.put(data);
        return b.flip();
    }

    public static ByteBuffer rentry(Header request, int result, ResourceEntry re) throws WireException {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + ResourceEntry.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        request.resultReply(result, 0, ResourceEntry.SIZE).encode(b);
        re.encode(b);
        return b.flip();
    }

    /** LOG_DUMP: request header copied with data = N, then N bytes of text (no NUL). */
    public static ByteBuffer logDump(Header request, byte[] text) {
        int n = Math.min(text.length, Limits.LOG_DUMP_MAX);
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + n).order(ByteOrder.LITTLE_ENDIAN);
        request.inlineReply(n).encode(b);
        b.put(text, text.length - n, n);
        return b.flip();
    }

    // ---------------------------------------------------------------- client side

    private static int bodyLength(Header h) throws WireException {
        long len = h.length() & 0xFFFFFFFFL;
        if (len < Header.SIZE) {
            throw new WireException(SanlockError.EPROTO, "reply length " + len + " is shorter than its header");
        }
        return (int) Math.min(len - Header.SIZE, Integer.MAX_VALUE);
    }

    private static void expectBody(Header h, long expected, String what) throws WireException {
        int body = bodyLength(h);
        if (body != expected) {
            throw new WireException(SanlockError.EPROTO,
                    what + " reply length " + Integer.toUnsignedString(h.length()) + " does not match its count (expected "
                            + (expected + Header.SIZE) + ")");
        }
    }

    /** INQUIRE reply body: the state string without its NUL, "" when no body. */
    public static String readInquire(Header h, WireIn in) throws IOException, WireException {
        int body = bodyLength(h);
        if (body == 0) {
            return "";
        }
        if (body > Limits.MAX_INQUIRE_STATE) {
            throw new WireException(SanlockError.EPROTO, "inquire reply of " + body + " bytes exceeds " + Limits.MAX_INQUIRE_STATE);
        }
        return Fields.getString(in.read(body, "inquire state string"), body);
    }

    /** GET_LOCKSPACES: the body holds (length − 32) / 1104 lockspaces; data2 may exceed that on -28. */
    public static List<Lockspace> readLockspaces(Header h, WireIn in) throws IOException, WireException {
        int body = bodyLength(h);
        if (body % Lockspace.SIZE != 0 || body > Limits.MAX_REPLY_BODY + Lockspace.SIZE) {
            throw new WireException(SanlockError.EPROTO, "get_lockspaces reply body of " + body + " bytes is not a sane multiple of 1104");
        }
        int n = body / Lockspace.SIZE;
        if (h.data() == 0 && n != h.data2()) {
            throw new WireException(SanlockError.EPROTO, "get_lockspaces reply says " + h.data2() + " lockspaces but carries " + n);
        }
        List<Lockspace> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Lockspace.decode(in.read(Lockspace.SIZE, "lockspace " + i)));
        }
        return out;
    }

    public static List<Host> readHosts(Header h, WireIn in, String what) throws IOException, WireException {
        int n = h.data2();
        if (n < 0 || n > Limits.MAX_HOSTS) {
            throw new WireException(SanlockError.EPROTO, what + " reply count " + Integer.toUnsignedString(n) + " exceeds " + Limits.MAX_HOSTS);
        }
        List<Host> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Host.decode(in.read(Host.SIZE, "host " + i)));
        }
        return out;
    }

    public static List<Host> readGetHosts(Header h, WireIn in) throws IOException, WireException {
        int body = bodyLength(h);
        if (body == 0) {
            return List.of();
        }
        expectBody(h, (long) h.data2() * Host.SIZE, "get_hosts");
        return readHosts(h, in, "get_hosts");
    }

    public static Lockspace readLockspaceBody(Header h, WireIn in) throws IOException, WireException {
        expectBody(h, Lockspace.SIZE, "read_lockspace");
        return Lockspace.decode(in.read(Lockspace.SIZE, "sanlk_lockspace"));
    }

    public static Resource readResourceBody(Header h, WireIn in) throws IOException, WireException {
        expectBody(h, Resource.SIZE, "read_resource");
        return Resource.decodeHead(in.read(Resource.SIZE, "sanlk_resource"));
    }

    /** READ_RESOURCE_OWNERS reply: the resource, then data2 hosts. */
    public record ResourceOwners(Resource resource, List<Host> owners) {}

    public static ResourceOwners readResourceOwners(Header h, WireIn in) throws IOException, WireException {
        int n = h.data2();
        if (n < 0 || n > Limits.MAX_HOSTS) {
            throw new WireException(SanlockError.EPROTO, "read_resource_owners count " + Integer.toUnsignedString(n) + " exceeds " + Limits.MAX_HOSTS);
        }
        expectBody(h, Resource.SIZE + (long) n * Host.SIZE, "read_resource_owners");
        Resource r = Resource.decodeHead(in.read(Resource.SIZE, "sanlk_resource"));
        return new ResourceOwners(r, readHosts(h, in, "read_resource_owners"));
    }

    public static byte[] readLvb(Header h, WireIn in) throws IOException, WireException {
        int body = bodyLength(h);
        if (body > Limits.MAX_LVB_LEN) {
            throw new WireException(SanlockError.EPROTO, "get_lvb reply of " + body + " bytes exceeds " + Limits.MAX_LVB_LEN);
        }
        byte[] out = new byte[body];
        if (body > 0) {
            in.read(body, "lvb data").get(out);
        }
        return out;
    }

    public static ResourceEntry readRentry(Header h, WireIn in) throws IOException, WireException {
        expectBody(h, ResourceEntry.SIZE, "rindex");
        return ResourceEntry.decode(in.read(ResourceEntry.SIZE, "sanlk_rentry"));
    }

    /** LOG_DUMP: data = N bytes of text follow (≤ 1 MiB). */
    public static byte[] readLogDump(Header h, WireIn in) throws IOException, WireException {
        int n = h.data();
        if (n < 0 || n > Limits.LOG_DUMP_MAX) {
            throw new WireException(SanlockError.EPROTO, "log_dump size " + Integer.toUnsignedString(n) + " exceeds " + Limits.LOG_DUMP_MAX);
        }
        byte[] out = new byte[n];
        if (n > 0) {
            in.read(n, "log dump text").get(out);
        }
        return out;
    }
}
