package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Request messages, both directions: {@code encode*} builds the bytes a client sends
 * (exactly what libsanlock 3.8.5 sends, including its wrong {@code length} values where
 * wire.md 1.4 lists them), {@code read*} decodes a request body for the daemon from a
 * stream, reading only the command-defined number of bytes and checking every count
 * before it is used to size a read.
 */
public final class Requests {
    private Requests() {}

    /** Target {@code data2} meaning "this connection's own registration". */
    public static final int SELF = -1;

    @FunctionalInterface
    interface BodyWriter {
        void write(ByteBuffer b) throws WireException;
    }

    static ByteBuffer message(Command cmd, int flags, int data, int data2, int bodySize, @Nullable Integer lengthField,
                              @Nullable BodyWriter body) throws WireException {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + bodySize).order(ByteOrder.LITTLE_ENDIAN);
        Header h = Header.request(cmd, flags, bodySize, data, data2);
        if (lengthField != null) {
            h = h.withLength(lengthField);
        }
        h.encode(b);
        if (body != null) {
            body.write(b);
        }
        if (b.hasRemaining()) {
            throw new IllegalStateException(cmd + " body wrote " + b.position() + " of " + b.capacity() + " bytes");
        }
        return b.flip();
    }

    /** A header-only request. */
    public static ByteBuffer headerOnly(Command cmd, int flags, int data, int data2) {
        try {
            return message(cmd, flags, data, data2, 0, null, null);
        } catch (WireException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ByteBuffer lockspaceCommand(Command cmd, int flags, int data, int data2, Lockspace ls) throws WireException {
        return message(cmd, flags, data, data2, Lockspace.SIZE, null, ls::encode);
    }

    /** HOST_STATUS and RENEWAL: libsanlock-era CLI code says length 32 although the lockspace follows (wire.md 1.4). */
    public static ByteBuffer hostStatusLike(Command cmd, Lockspace ls) throws WireException {
        return message(cmd, 0, 0, 0, Lockspace.SIZE, Header.SIZE, ls::encode);
    }

    public static ByteBuffer addLockspace(Lockspace ls, int ioTimeout, int flags) throws WireException {
        return lockspaceCommand(Command.ADD_LOCKSPACE, flags, ioTimeout, 0, ls);
    }

    public static ByteBuffer acquire(int target, int flags, List<Resource> resources, Options options) throws WireException {
        checkCount(resources.size());
        int size = Options.SIZE;
        for (Resource r : resources) {
            r.checkNumDisks();
            size += r.encodedSize(true);
        }
        Options opt = options == null ? Options.NONE : options;
        return message(Command.ACQUIRE, flags, resources.size(), target, size, null, b -> {
            for (Resource r : resources) {
                r.encode(b, true);
            }
            opt.encode(b);
        });
    }

    /** RELEASE: 128-byte resources, no disks (num_disks still set). With REL_ALL pass an empty list. */
    public static ByteBuffer release(int target, int flags, List<Resource> resources) throws WireException {
        if (resources.size() > Limits.MAX_RESOURCES) {
            checkCount(resources.size());
        }
        return message(Command.RELEASE, flags, resources.size(), target, resources.size() * Resource.SIZE, null, b -> {
            for (Resource r : resources) {
                r.encode(b, false);
            }
        });
    }

    public static ByteBuffer convert(int target, int flags, Resource res) throws WireException {
        return message(Command.CONVERT, flags, 0, target, Resource.SIZE, null, b -> res.encode(b, false));
    }

    /** Commands whose body is one resource with its disks (REQUEST, WRITE/READ_RESOURCE, READ_RESOURCE_OWNERS). */
    public static ByteBuffer resourceWithDisks(Command cmd, int flags, int data, int data2, Resource res) throws WireException {
        res.checkNumDisks();
        return message(cmd, flags, data, data2, res.encodedSize(true), null, b -> res.encode(b, true));
    }

    /** Commands whose body is the 128-byte resource only (EXAMINE_RESOURCE, GET_LVB). */
    public static ByteBuffer resourceHead(Command cmd, int flags, int data, int data2, Resource res) throws WireException {
        return message(cmd, flags, data, data2, Resource.SIZE, null, b -> res.encode(b, false));
    }

    public static ByteBuffer setLvb(Resource res, byte[] lvb) throws WireException {
        if (lvb.length > Limits.MAX_LVB_LEN) {
            throw new WireException(SanlockError.E2BIG, "lvb of " + lvb.length + " bytes exceeds " + Limits.MAX_LVB_LEN);
        }
        return message(Command.SET_LVB, 0, 0, 0, Resource.SIZE + lvb.length, null, b -> {
            res.encode(b, false);
            b.put(lvb);
        });
    }

    public static ByteBuffer align(Disk disk) throws WireException {
        return message(Command.ALIGN, 0, 0, 0, Disk.SIZE, null, disk::encode);
    }

    /** KILLPATH: path and args, each cut to 127 bytes + NUL and padded to 128, as libsanlock does. */
    public static ByteBuffer killpath(int flags, String path, String args) throws WireException {
        byte[] p = cut(Fields.bytes(path));
        byte[] a = cut(Fields.bytes(args));
        return message(Command.KILLPATH, flags, 0, SELF, 2 * Limits.KILLPATH_FIELD_LEN, null, b -> {
            b.put(p);
            Fields.zeros(b, Limits.KILLPATH_FIELD_LEN - p.length);
            b.put(a);
            Fields.zeros(b, Limits.KILLPATH_FIELD_LEN - a.length);
        });
    }

    private static byte[] cut(byte[] s) {
        int n = Math.min(s.length, Limits.KILLPATH_FIELD_LEN - 1);
        for (int i = 0; i < n; i++) {
            if (s[i] == 0) {
                n = i;
                break;
            }
        }
        return java.util.Arrays.copyOf(s, n);
    }

    /** REG_EVENT and SET_EVENT: lockspace + host event. */
    public static ByteBuffer lockspaceEvent(Command cmd, int flags, Lockspace ls, HostEvent he) throws WireException {
        return message(cmd, flags, 0, 0, Lockspace.SIZE + HostEvent.SIZE, null, b -> {
            ls.encode(b);
            he.encode(b);
        });
    }

    public static ByteBuffer rindex(Command cmd, int flags, int data, int data2, ResourceIndex rx) throws WireException {
        return message(cmd, flags, data, data2, ResourceIndex.SIZE, null, rx::encode);
    }

    /** UPDATE/LOOKUP_RINDEX, CREATE/DELETE_RESOURCE: rindex + rentry; LOOKUP carries libsanlock's wrong length (32+1104+128). */
    public static ByteBuffer rindexEntry(Command cmd, int flags, int data, int data2, ResourceIndex rx, ResourceEntry re)
            throws WireException {
        @Nullable Integer len = cmd == Command.LOOKUP_RINDEX ? Header.SIZE + ResourceIndex.SIZE + Resource.SIZE : null;
        return message(cmd, flags, data, data2, ResourceIndex.SIZE + ResourceEntry.SIZE, len, b -> {
            rx.encode(b);
            re.encode(b);
        });
    }

    private static void checkCount(int n) throws WireException {
        if (n < 1 || n > Limits.MAX_RESOURCES) {
            throw new WireException(n < 1 ? SanlockError.EINVAL : SanlockError.E2BIG,
                    n + " resources in one request, must be 1.." + Limits.MAX_RESOURCES);
        }
    }

    // ---------------------------------------------------------------- daemon side

    /** ACQUIRE body decoded: the resources with their disks and the options. */
    public record Acquire(List<Resource> resources, Options options) {}

    /**
     * Reads an ACQUIRE body: {@code header.data} resources (0..8, else -7 before
     * anything is read), each 128 bytes + num_disks (1..4, else -34) disks, then
     * sanlk_options.
     */
    public static Acquire readAcquire(Header h, WireIn in) throws IOException, WireException {
        int n = h.data();
        if (n < 0 || n > Limits.MAX_RESOURCES) {
            throw new WireException(SanlockError.E2BIG, "acquire of " + n + " resources, at most " + Limits.MAX_RESOURCES);
        }
        // n == 0 is a valid request: sanlock 3.8.5 answers it with 0 and takes the options'
        // owner name as the client's name (observed: "client acquire -r LS:R:p -p PID", whose
        // resource the CLI fails to parse, sends no resource)
        List<Resource> res = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Resource head = Resource.decodeHead(in.read(Resource.SIZE, "acquire resource " + i));
            head.checkNumDisks();
            res.add(head.withDisksFrom(in.read(head.numDisks() * Disk.SIZE, "disks of resource " + i)));
        }
        Options opt = Options.decode(in.read(Options.SIZE, "acquire options"));
        return new Acquire(res, opt);
    }

    /** Reads a RELEASE body: {@code header.data} 128-byte resources (none with REL_ALL; two with REL_RENAME). */
    public static List<Resource> readRelease(Header h, WireIn in) throws IOException, WireException {
        int n = (h.cmdFlags() & CommandFlags.REL_ALL) != 0 ? 0 : h.data();
        if ((h.cmdFlags() & CommandFlags.REL_RENAME) != 0 && (h.cmdFlags() & CommandFlags.REL_ALL) == 0) {
            n = 2;
        }
        if (n < 0 || n > Limits.MAX_RESOURCES) {
            throw new WireException(SanlockError.E2BIG, "release of " + n + " resources, at most " + Limits.MAX_RESOURCES);
        }
        List<Resource> res = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            res.add(Resource.decodeHead(in.read(Resource.SIZE, "release resource " + i)));
        }
        return res;
    }

    public static Lockspace readLockspace(WireIn in) throws IOException, WireException {
        return Lockspace.decode(in.read(Lockspace.SIZE, "sanlk_lockspace"));
    }

    public static Resource readResourceHead(WireIn in) throws IOException, WireException {
        return Resource.decodeHead(in.read(Resource.SIZE, "sanlk_resource"));
    }

    /** A resource with its disks; num_disks is checked (-34) before the disks are read. */
    public static Resource readResourceWithDisks(WireIn in) throws IOException, WireException {
        Resource head = readResourceHead(in);
        head.checkNumDisks();
        return head.withDisksFrom(in.read(head.numDisks() * Disk.SIZE, "resource disks"));
    }

    public static Disk readDisk(WireIn in) throws IOException, WireException {
        return Disk.decode(in.read(Disk.SIZE, "sanlk_disk"));
    }

    /** KILLPATH body decoded; the daemon forces the last byte of each field to NUL. */
    public record Killpath(String path, String args) {}

    public static Killpath readKillpath(WireIn in) throws IOException, WireException {
        ByteBuffer b = in.read(2 * Limits.KILLPATH_FIELD_LEN, "killpath body");
        String p = Fields.getString(b, Limits.KILLPATH_FIELD_LEN - 1);
        b.get();
        String a = Fields.getString(b, Limits.KILLPATH_FIELD_LEN - 1);
        return new Killpath(p, a);
    }

    /** SET_LVB body decoded. */
    public record SetLvb(Resource resource, byte[] lvb) {}

    /** SET_LVB: the LVB size is the one place the header length is used (length − 160), checked ≤ 4096 (-7). */
    public static SetLvb readSetLvb(Header h, WireIn in) throws IOException, WireException {
        long lvbLen = (h.length() & 0xFFFFFFFFL) - Header.SIZE - Resource.SIZE;
        if (lvbLen < 0) {
            throw new WireException(SanlockError.EINVAL, "set_lvb header length " + h.length() + " is shorter than its resource");
        }
        if (lvbLen > Limits.MAX_LVB_LEN) {
            throw new WireException(SanlockError.E2BIG, "lvb of " + lvbLen + " bytes exceeds " + Limits.MAX_LVB_LEN);
        }
        Resource r = readResourceHead(in);
        ByteBuffer b = in.read((int) lvbLen, "lvb data");
        byte[] lvb = new byte[(int) lvbLen];
        b.get(lvb);
        return new SetLvb(r, lvb);
    }

    /** REG_EVENT / SET_EVENT body decoded. */
    public record LockspaceEvent(Lockspace lockspace, HostEvent event) {}

    public static LockspaceEvent readLockspaceEvent(WireIn in) throws IOException, WireException {
        Lockspace ls = readLockspace(in);
        return new LockspaceEvent(ls, HostEvent.decode(in.read(HostEvent.SIZE, "sanlk_host_event")));
    }

    public static ResourceIndex readRindex(WireIn in) throws IOException, WireException {
        return ResourceIndex.decode(in.read(ResourceIndex.SIZE, "sanlk_rindex"));
    }

    public static ResourceEntry readRentry(WireIn in) throws IOException, WireException {
        return ResourceEntry.decode(in.read(ResourceEntry.SIZE, "sanlk_rentry"));
    }
}
