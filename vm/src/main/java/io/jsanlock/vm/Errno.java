package io.jsanlock.vm;

import java.util.Map;

/**
 * glibc's strerror() texts for the errno values sanlock and the file system hand back to
 * the lock driver; libvirt prints them in system errors ("Failed to acquire lock: File exists").
 */
public final class Errno {
    private static final Map<Integer, String> TEXT = Map.ofEntries(
            Map.entry(1, "Operation not permitted"),
            Map.entry(2, "No such file or directory"),
            Map.entry(3, "No such process"),
            Map.entry(4, "Interrupted system call"),
            Map.entry(5, "Input/output error"),
            Map.entry(6, "No such device or address"),
            Map.entry(7, "Argument list too long"),
            Map.entry(9, "Bad file descriptor"),
            Map.entry(11, "Resource temporarily unavailable"),
            Map.entry(12, "Cannot allocate memory"),
            Map.entry(13, "Permission denied"),
            Map.entry(16, "Device or resource busy"),
            Map.entry(17, "File exists"),
            Map.entry(19, "No such device"),
            Map.entry(20, "Not a directory"),
            Map.entry(21, "Is a directory"),
            Map.entry(22, "Invalid argument"),
            Map.entry(25, "Inappropriate ioctl for device"),
            Map.entry(28, "No space left on device"),
            Map.entry(30, "Read-only file system"),
            Map.entry(32, "Broken pipe"),
            Map.entry(34, "Numerical result out of range"),
            Map.entry(36, "File name too long"),
            Map.entry(38, "Function not implemented"),
            Map.entry(50, "No CSI structure available"),
            Map.entry(79, "Can not access a needed shared library"),
            Map.entry(80, "Accessing a corrupted shared library"),
            Map.entry(81, ".lib section in a.out corrupted"),
            Map.entry(90, "Message too long"),
            Map.entry(107, "Transport endpoint is not connected"),
            Map.entry(110, "Connection timed out"),
            Map.entry(111, "Connection refused"),
            Map.entry(114, "Operation already in progress"),
            Map.entry(115, "Operation now in progress"),
            Map.entry(116, "Stale file handle"),
            Map.entry(117, "Structure needs cleaning"));

    private Errno() {
    }

    /** strerror(errno) for a positive errno. */
    public static String strerror(int errno) {
        String t = TEXT.get(errno);
        return t != null ? t : "Unknown error " + errno;
    }
}
