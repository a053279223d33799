package io.jsanlock.wire.unix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few Linux socket calls the protocol needs, through the FFM API (no JNI). Every
 * call captures errno; callers get {@code -errno} on failure. Only non-blocking calls
 * are made from here (see {@link Poller} for why).
 */
final class Libc {
    private Libc() {}

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_PASSCRED = 16;
    static final int SO_PEERCRED = 17;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int SHUT_RDWR = 2;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int FD_CLOEXEC = 1;
    static final int O_NONBLOCK = 0x800;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EINPROGRESS = 115;
    static final int EPIPE = 32;
    static final int ECONNRESET = 104;

    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1;
    static final int EPOLLOUT = 0x4;
    static final int EPOLLERR = 0x8;
    static final int EPOLLHUP = 0x10;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLONESHOT = 1 << 30;

    /** sockaddr_un: sa_family (u16) + sun_path[108]. */
    static final int SOCKADDR_UN_SIZE = 110;
    static final int SUN_PATH_LEN = 108;

    /** struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16). */
    static final boolean EPOLL_PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    static final int EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
    static final int EPOLL_DATA_OFFSET = EPOLL_PACKED ? 4 : 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CCS = Linker.Option.captureCallState("errno");

    private static MethodHandle h(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = CCS;
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), fd, opts);
    }

    private static final MethodHandle SOCKET = h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = h("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND = h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = h("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = h("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = h("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = h("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SHUTDOWN = h("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = h("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = h("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCNTL = h("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle EPOLL_CREATE1 = h("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = h("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = h("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    /** Runs a downcall that returns int, giving -errno on -1. */
    private static int callInt(MethodHandle mh, Object... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            Object[] full = new Object[args.length + 1];
            full[0] = st;
            System.arraycopy(args, 0, full, 1, args.length);
            int r = (int) mh.invokeWithArguments(full);
            return r == -1 ? -(int) ERRNO.get(st, 0L) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    private static long callLong(MethodHandle mh, Object... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            Object[] full = new Object[args.length + 1];
            full[0] = st;
            System.arraycopy(args, 0, full, 1, args.length);
            long r = (long) mh.invokeWithArguments(full);
            return r == -1 ? -(long) (int) ERRNO.get(st, 0L) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    static int socket(int domain, int type, int protocol) {
        return callInt(SOCKET, domain, type, protocol);
    }

    /** Fills a sockaddr_un for {@code path} (truncated to 107 bytes + NUL as sun_path allows). */
    static MemorySegment sockaddrUn(Arena a, byte[] path) {
        MemorySegment sa = a.allocate(SOCKADDR_UN_SIZE);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        int n = Math.min(path.length, SUN_PATH_LEN - 1);
        MemorySegment.copy(MemorySegment.ofArray(path), 0, sa, 2, n);
        return sa;
    }

    static int connect(int fd, byte[] path) {
        try (Arena a = Arena.ofConfined()) {
            return callInt(CONNECT, fd, sockaddrUn(a, path), SOCKADDR_UN_SIZE);
        }
    }

    static int bind(int fd, byte[] path) {
        try (Arena a = Arena.ofConfined()) {
            return callInt(BIND, fd, sockaddrUn(a, path), SOCKADDR_UN_SIZE);
        }
    }

    static int listen(int fd, int backlog) {
        return callInt(LISTEN, fd, backlog);
    }

    static int accept4(int fd, int flags) {
        return callInt(ACCEPT4, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
    }

    static long recv(int fd, MemorySegment buf, long len, int flags) {
        return callLong(RECV, fd, buf, len, flags);
    }

    static long send(int fd, MemorySegment buf, long len, int flags) {
        return callLong(SEND, fd, buf, len, flags);
    }

    static int close(int fd) {
        return callInt(CLOSE, fd);
    }

    static int shutdown(int fd, int how) {
        return callInt(SHUTDOWN, fd, how);
    }

    static int getsockopt(int fd, int level, int opt, MemorySegment val, MemorySegment len) {
        return callInt(GETSOCKOPT, fd, level, opt, val, len);
    }

    static int setsockoptInt(int fd, int level, int opt, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            return callInt(SETSOCKOPT, fd, level, opt, v, 4);
        }
    }

    static int fcntl(int fd, int cmd, int arg) {
        return callInt(FCNTL, fd, cmd, arg);
    }

    static int epollCreate() {
        return callInt(EPOLL_CREATE1, EPOLL_CLOEXEC);
    }

    static int epollCtl(int epfd, int op, int fd, int events) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EPOLL_EVENT_SIZE);
            ev.set(JAVA_INT, 0, events);
            ev.set(JAVA_LONG.withByteAlignment(4), EPOLL_DATA_OFFSET, fd);
            return callInt(EPOLL_CTL, epfd, op, fd, ev);
        }
    }

    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMs) {
        return callInt(EPOLL_WAIT, epfd, events, max, timeoutMs);
    }
}
