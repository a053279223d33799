package io.jsanlock.wire.unix;

import io.jsanlock.posix.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One datagram to a unix-domain datagram socket: systemd's {@code $NOTIFY_SOCKET}
 * (sd_notify) and syslog's {@code /dev/log}. The JDK's unix-domain channels are
 * stream-only, so this goes through socket/sendto of {@link Sockets}, as the daemon's
 * stream socket does. A path starting with '@' names a socket in
 * the abstract namespace (systemd uses one for NOTIFY_SOCKET).
 */
public final class UnixDatagram {
    private UnixDatagram() {}

    /**
     * Sends {@code message} as one datagram to {@code path}, without blocking. Returns
     * true when the kernel took it; false when the socket is missing, full or refuses
     * (the callers, a log and a readiness note, must never fail the daemon for that).
     */
    public static boolean send(String path, byte[] message) {
        byte[] name = path.getBytes(StandardCharsets.ISO_8859_1);
        if (name.length == 0 || name.length >= Sockets.SUN_PATH_LEN) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(Sockets.SOCKADDR_UN_SIZE);
            addr.set(JAVA_SHORT, 0, (short) Sockets.AF_UNIX);
            MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
            int addrLen = 2 + name.length + 1;
            if (name[0] == '@') {
                addr.set(JAVA_BYTE, 2, (byte) 0);   // abstract namespace: no trailing NUL counted
                addrLen = 2 + name.length;
            }
            MemorySegment buf = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, buf, JAVA_BYTE, 0, message.length);
            int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            try {
                long n = Sockets.sendto(fd, buf, message.length, Sockets.MSG_DONTWAIT | Sockets.MSG_NOSIGNAL, addr, addrLen);
                return n == message.length;
            } finally {
                Sockets.close(fd);
            }
        } catch (RuntimeException e) {
            return false; // a failed downcall: the message is lost, as when the socket refuses it
        }
    }
}
