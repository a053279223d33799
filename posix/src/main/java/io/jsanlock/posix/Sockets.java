package io.jsanlock.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux socket and epoll calls the protocol needs (unix-domain stream and datagram
 * sockets), through the FFM API (no JNI). Every call captures errno; unlike {@link Posix},
 * callers get {@code -errno} on failure and the value otherwise, because the socket code
 * (io.jsanlock.wire.unix) passes those codes on as they are. Only non-blocking calls are
 * made through here (see wire's Poller for why).
 */
public final class Sockets {
    private Sockets() {}

    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_PASSCRED = 16;
    public static final int SO_PEERCRED = 17;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x800;


    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLONESHOT = 1 << 30;

    /** sockaddr_un: sa_family (u16) + sun_path[108]. */
    public static final int SOCKADDR_UN_SIZE = 110;
    public static final int SUN_PATH_LEN = 108;

    /** struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16). */
    public static final boolean EPOLL_PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    public static final int EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
    public static final int EPOLL_DATA_OFFSET = EPOLL_PACKED ? 4 : 8;

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return Native.bind(name, fd);
    }

    /*
     * Each downcall handle lives in its own holder class, so it is linked the first time it is
     * called (class initialisation is lazy) rather than all at once when Sockets loads: a CLI run
     * that only connects/sends/receives links 5 of the 18, which is most of its start-up cost.
     * Calls use invokeExact with the handle's exact type (capture segment first) instead of
     * invokeWithArguments, which boxes every argument and goes through a slow generic path.
     */
    private static final class Socket { static final MethodHandle H = h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)); }
    private static final class Connect { static final MethodHandle H = h("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Bind { static final MethodHandle H = h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Listen { static final MethodHandle H = h("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)); }
    private static final class Accept4 { static final MethodHandle H = h("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)); }
    private static final class Recv { static final MethodHandle H = h("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)); }
    private static final class Send { static final MethodHandle H = h("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)); }
    private static final class Close { static final MethodHandle H = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)); }
    private static final class Shutdown { static final MethodHandle H = h("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)); }
    private static final class GetSockOpt { static final MethodHandle H = h("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)); }
    private static final class SetSockOpt { static final MethodHandle H = h("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Fcntl { static final MethodHandle H = Native.bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            2); }
    private static final class EpollCreate1 { static final MethodHandle H = h("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT)); }
    private static final class EpollCtl { static final MethodHandle H = h("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)); }
    private static final class SendTo { static final MethodHandle H = h("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class EpollWait { static final MethodHandle H = h("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)); }

    private static int result(int r, MemorySegment st) {
        return r == -1 ? -Native.errno(st) : r;
    }

    private static long result(long r, MemorySegment st) {
        return r == -1 ? -(long) Native.errno(st) : r;
    }

    private static IllegalStateException failed(Throwable t) {
        if (t instanceof RuntimeException || t instanceof Error) {
            return new IllegalStateException("native call failed: " + t, t);
        }
        return new IllegalStateException("native call failed", t);
    }

    public static int socket(int domain, int type, int protocol) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Socket.H.invokeExact(st, domain, type, protocol), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** Fills a sockaddr_un for {@code path} (truncated to 107 bytes + NUL as sun_path allows). */
    public static MemorySegment sockaddrUn(Arena a, byte[] path) {
        MemorySegment sa = a.allocate(SOCKADDR_UN_SIZE);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        int n = Math.min(path.length, SUN_PATH_LEN - 1);
        MemorySegment.copy(MemorySegment.ofArray(path), 0, sa, 2, n);
        return sa;
    }

    public static int connect(int fd, byte[] path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Connect.H.invokeExact(st, fd, sockaddrUn(a, path), SOCKADDR_UN_SIZE), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int bind(int fd, byte[] path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Bind.H.invokeExact(st, fd, sockaddrUn(a, path), SOCKADDR_UN_SIZE), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int listen(int fd, int backlog) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Listen.H.invokeExact(st, fd, backlog), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int accept4(int fd, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Accept4.H.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, flags), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static long recv(int fd, MemorySegment buf, long len, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((long) Recv.H.invokeExact(st, fd, buf, len, flags), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static long send(int fd, MemorySegment buf, long len, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((long) Send.H.invokeExact(st, fd, buf, len, flags), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Close.H.invokeExact(st, fd), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int shutdown(int fd, int how) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Shutdown.H.invokeExact(st, fd, how), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int getsockopt(int fd, int level, int opt, MemorySegment val, MemorySegment len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) GetSockOpt.H.invokeExact(st, fd, level, opt, val, len), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int setsockoptInt(int fd, int level, int opt, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            MemorySegment st = Native.callState(a);
            return result((int) SetSockOpt.H.invokeExact(st, fd, level, opt, v, 4), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int fcntl(int fd, int cmd, int arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) Fcntl.H.invokeExact(st, fd, cmd, arg), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** sendto(2) of {@code len} bytes of {@code buf} to the socket address {@code addr} of {@code addrLen} bytes. */
    public static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((long) SendTo.H.invokeExact(st, fd, buf, len, flags, addr, addrLen), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int epollCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) EpollCreate1.H.invokeExact(st, EPOLL_CLOEXEC), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int epollCtl(int epfd, int op, int fd, int events) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EPOLL_EVENT_SIZE);
            ev.set(JAVA_INT, 0, events);
            ev.set(JAVA_LONG.withByteAlignment(4), EPOLL_DATA_OFFSET, fd);
            MemorySegment st = Native.callState(a);
            return result((int) EpollCtl.H.invokeExact(st, epfd, op, fd, ev), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.callState(a);
            return result((int) EpollWait.H.invokeExact(st, epfd, events, max, timeoutMs), st);
        } catch (Throwable t) {
            throw failed(t);
        }
    }
}
