package io.jsanlock.vm.lock;

import io.jsanlock.base.SanlockException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link LeaseDaemon} over sanlock's client socket protocol (wire.md), one connection per
 * request like libsanlock. It encodes only the handful of requests the lock driver sends
 * (libvirt's set, wire.md §10.3), so the VM layer works with the reference sanlock daemon and
 * with the jsanlock daemon alike.
 */
public final class WireLeaseDaemon implements LeaseDaemon {
    static final int MAGIC = 0x04282010;
    static final int VERSION = 0x00000001;
    static final int CMD_ADD_LOCKSPACE = 2;
    static final int CMD_ACQUIRE = 7;
    static final int CMD_RELEASE = 8;
    static final int CMD_INQUIRE = 9;
    static final int CMD_ALIGN = 12;
    static final int CMD_INQ_LOCKSPACE = 16;
    static final int CMD_WRITE_LOCKSPACE = 18;
    static final int CMD_WRITE_RESOURCE = 19;
    static final int INQ_WAIT = 0x1;
    static final int RES_SHARED = 0x4;
    static final int NAME_LEN = 48;
    static final int PATH_LEN = 1024;
    static final int DISK_SIZE = 1040;
    static final int RES_SIZE = 128;
    static final int LS_SIZE = 1104;
    static final int OPTIONS_SIZE = 56;

    private final Path socket;

    public WireLeaseDaemon(String runDir) {
        this.socket = SanlockSocket.path(runDir);
    }

    /** The daemon selected by SANLOCK_RUN_DIR. */
    public static WireLeaseDaemon fromEnvironment() {
        return new WireLeaseDaemon(SanlockSocket.runDir());
    }

    @Override
    public long align(String path) throws SanlockException {
        ByteBuffer body = buf(DISK_SIZE);
        putDisk(body, path, 0);
        int rv = call(CMD_ALIGN, 0, 0, 0, body).data();
        check(rv, "align " + path);
        return rv;
    }

    @Override
    public void writeLockspace(String name, String path, long offset, int ioTimeout) throws SanlockException {
        check(call(CMD_WRITE_LOCKSPACE, 0, 0, ioTimeout, lockspace(name, 0, path, offset)).data(),
                "write_lockspace " + name);
    }

    @Override
    public void writeResource(String lockspace, String name, String path, long offset) throws SanlockException {
        ByteBuffer body = buf(RES_SIZE + DISK_SIZE);
        putResource(body, new LeaseSpec(lockspace, name, path, offset, false), true);
        check(call(CMD_WRITE_RESOURCE, 0, 0, 0, body).data(), "write_resource " + name);
    }

    @Override
    public void addLockspace(String name, long hostId, String path, long offset, int ioTimeout)
            throws SanlockException {
        check(call(CMD_ADD_LOCKSPACE, 0, ioTimeout, 0, lockspace(name, hostId, path, offset)).data(),
                "add_lockspace " + name);
    }

    @Override
    public int inqLockspaceWait(String name, long hostId, String path, long offset) {
        try {
            return call(CMD_INQ_LOCKSPACE, INQ_WAIT, 0, 0, lockspace(name, hostId, path, offset)).data();
        } catch (SanlockException e) {
            return e.code();
        }
    }

    @Override
    public void acquire(long pid, List<LeaseSpec> leases, String ownerName) throws SanlockException {
        int size = leases.size() * (RES_SIZE + DISK_SIZE) + OPTIONS_SIZE;
        ByteBuffer body = buf(size);
        for (LeaseSpec l : leases) {
            putResource(body, l, true);
        }
        putName(body, ownerName.length() > NAME_LEN - 1 ? ownerName.substring(0, NAME_LEN - 1) : ownerName);
        body.putInt(0).putInt(0);
        check(call(CMD_ACQUIRE, 0, leases.size(), (int) pid, body).data(), "acquire");
    }

    @Override
    public void release(long pid, List<LeaseSpec> leases) throws SanlockException {
        ByteBuffer body = buf(leases.size() * RES_SIZE);
        for (LeaseSpec l : leases) {
            putResource(body, l, false);
        }
        check(call(CMD_RELEASE, 0, leases.size(), (int) pid, body).data(), "release");
    }

    @Override
    public String inquire(long pid) throws SanlockException {
        Reply r = call(CMD_INQUIRE, 0, 0, (int) pid, buf(0));
        check(r.data(), "inquire");
        String s = new String(r.body(), StandardCharsets.UTF_8);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    private static void check(int rv, String what) throws SanlockException {
        if (rv < 0) {
            throw new SanlockException(rv, what + " failed: " + rv, null);
        }
    }

    record Reply(int data, int data2, byte[] body) {
    }

    private Reply call(int cmd, int flags, int data, int data2, ByteBuffer body) throws SanlockException {
        try (SocketChannel ch = connect(socket)) {
            body.flip();
            ByteBuffer h = header(cmd, flags, 32 + body.remaining(), data, data2);
            writeFully(ch, h);
            writeFully(ch, body);
            ByteBuffer rh = readFully(ch, 32);
            if (rh == null) {
                throw new SanlockException(-107, "sanlock daemon closed the connection", null);
            }
            int length = rh.getInt(16);
            int rdata = rh.getInt(24);
            int rdata2 = rh.getInt(28);
            byte[] rb = new byte[0];
            if (length > 32) {
                ByteBuffer b = readFully(ch, length - 32);
                rb = b == null ? new byte[0] : b.array();
            }
            return new Reply(rdata, rdata2, rb);
        } catch (IOException e) {
            throw new SanlockException(-5, "sanlock daemon I/O: " + e.getMessage(), e);
        }
    }

    /**
     * Connects to the daemon; failures carry the negated errno libsanlock would return
     * (-2 no socket file, -111 nobody listening, -13 no permission).
     */
    static SocketChannel connect(Path socket) throws SanlockException {
        if (!Files.exists(socket)) {
            throw new SanlockException(-2, "no sanlock socket at " + socket, null);
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            String m = String.valueOf(e.getMessage());
            int code = m.contains("Permission denied") ? -13 : m.contains("No such file") ? -2 : -111;
            throw new SanlockException(code, "cannot connect to " + socket + ": " + m, e);
        }
    }

    static ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer header(int cmd, int flags, int length, int data, int data2) {
        ByteBuffer h = buf(32);
        h.putInt(MAGIC).putInt(VERSION).putInt(cmd).putInt(flags).putInt(length).putInt(0).putInt(data)
                .putInt(data2);
        h.flip();
        return h;
    }

    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads exactly n bytes, or returns null at EOF. */
    static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = buf(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                return null;
            }
        }
        b.flip();
        return b;
    }

    private static ByteBuffer lockspace(String name, long hostId, String path, long offset) {
        ByteBuffer b = buf(LS_SIZE);
        putName(b, name);
        b.putLong(hostId).putInt(0).putInt(0);
        putDisk(b, path, offset);
        return b;
    }

    private static void putResource(ByteBuffer b, LeaseSpec l, boolean withDisk) {
        putName(b, l.lockspace());
        putName(b, l.name());
        b.putLong(0).putLong(0).putInt(0).putInt(0).putInt(l.shared() ? RES_SHARED : 0).putInt(1);
        if (withDisk) {
            putDisk(b, l.path(), l.offset());
        }
    }

    private static void putName(ByteBuffer b, String s) {
        putFixed(b, s, NAME_LEN);
    }

    private static void putDisk(ByteBuffer b, String path, long offset) {
        putFixed(b, path, PATH_LEN);
        b.putLong(offset).putInt(0).putInt(0);
    }

    private static void putFixed(ByteBuffer b, String s, int len) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, len);
        b.put(bytes, 0, n);
        for (int i = n; i < len; i++) {
            b.put((byte) 0);
        }
    }
}
