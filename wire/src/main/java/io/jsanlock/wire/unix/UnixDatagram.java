package io.jsanlock.wire.unix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One datagram to a unix-domain datagram socket: systemd's {@code $NOTIFY_SOCKET}
 * (sd_notify) and syslog's {@code /dev/log}. The JDK's unix-domain channels are
 * stream-only, so this goes through socket/sendto with the FFM API, as {@link Libc}
 * does for the daemon's stream socket. A path starting with '@' names a socket in
 * the abstract namespace (systemd uses one for NOTIFY_SOCKET).
 */
public final class UnixDatagram {
    private static final int SOCK_DGRAM = 2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;

    private static final class Handles {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle SENDTO = handle("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

        static MethodHandle handle(String name, FunctionDescriptor fd) {
            return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), fd);
        }
    }

    private UnixDatagram() {}

    /**
     * Sends {@code message} as one datagram to {@code path}, without blocking. Returns
     * true when the kernel took it; false when the socket is missing, full or refuses
     * (the callers, a log and a readiness note, must never fail the daemon for that).
     */
    public static boolean send(String path, byte[] message) {
        byte[] name = path.getBytes(StandardCharsets.ISO_8859_1);
        if (name.length == 0 || name.length >= Libc.SUN_PATH_LEN) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(Libc.SOCKADDR_UN_SIZE);
            addr.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
            int addrLen = 2 + name.length + 1;
            if (name[0] == '@') {
                addr.set(JAVA_BYTE, 2, (byte) 0);   // abstract namespace: no trailing NUL counted
                addrLen = 2 + name.length;
            }
            MemorySegment buf = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, buf, JAVA_BYTE, 0, message.length);
            int fd = (int) Handles.SOCKET.invokeExact(Libc.AF_UNIX, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            try {
                long n = (long) Handles.SENDTO.invokeExact(fd, buf, (long) message.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, addrLen);
                return n == message.length;
            } finally {
                int ignored = (int) Handles.CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            return false;
        }
    }
}
