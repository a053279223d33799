package io.jsanlock.client;

import io.jsanlock.posix.Posix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns this JVM into another program that keeps a {@link Registration} open, so the
 * leases acquired through it live exactly as long as that program: sanlock's
 * {@code client command} ("register, acquire, then execv") done from Java through FFM.
 *
 * <p>Why exec rather than a supervising parent: after {@code execv} the program has the
 * registering process's pid (the SO_PEERCRED pid the daemon recorded) and owns the
 * registered socket, so the daemon releases the leases the moment the program dies
 * (kill -9 included), and nothing else can die and free them while it runs. A parent
 * that merely waited would be a second process whose death frees the leases while the
 * child still runs, and whose pid — not the program's — the daemon shows and kills.
 *
 * <p>Sequence: the JVM's own descriptors are marked close-on-exec (its files must not leak
 * into the program; descriptors inherited from our parent pass on, as with sanlock), the
 * registration is kept open and optionally
 * moved to a chosen descriptor number, the signal mask is emptied (the JVM blocks some
 * signals in its threads; sanlock's CLI starts programs with an empty mask), then
 * {@code execv(path, argv)} with the process environment. Only returns on failure.
 */
public final class RegisteredExec {
    private RegisteredExec() {
    }

    /**
     * Replaces this process with {@code argv[0]} (a path, not searched in PATH, as
     * execv) run with {@code argv}, keeping {@code registration} open across the exec.
     * The strings are byte strings (one char per byte, {@link io.jsanlock.base.ByteStrings}):
     * the program gets exactly those bytes; convert Java text with ByteStrings.utf8.
     *
     * @param targetFd the descriptor number the program finds the registration at, or -1
     *                 to leave it where it is. Moving it is done as the very last step
     *                 before execv (it may replace a descriptor of the JVM's, which the JVM
     *                 never uses again).
     * @return the errno of the failed execv (the method only returns on failure)
     */
    public static int exec(Registration registration, List<String> argv, int targetFd) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no program to run");
        }
        int regFd = registration.fd();
        // Every native call of the sequence is linked and every C string made before the first
        // descriptor moves: after that, loading a class could read a replaced descriptor.
        Posix.prepareExec();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = Posix.cString(a, argv.get(0));
            MemorySegment cargv = Posix.cStrings(a, argv);
            for (int fd : jvmDescriptors(regFd)) {
                Posix.fcntl(fd, Posix.F_SETFD, Posix.FD_CLOEXEC);
            }
            int keep = regFd;
            int saved = -1;
            if (targetFd >= 0 && targetFd != regFd) {
                // Keep whatever the JVM has at targetFd (e.g. its class image or jar) in a spare
                // descriptor, so a failed execv can put it back before any class is loaded again.
                saved = Posix.fcntl(targetFd, Posix.F_DUPFD_CLOEXEC, 3).intValue();
                // dup2 gives a descriptor without FD_CLOEXEC; the original stays close-on-exec.
                if (Posix.dup2(regFd, targetFd).value() == targetFd) {
                    keep = targetFd;
                    Posix.fcntl(regFd, Posix.F_SETFD, Posix.FD_CLOEXEC);
                }
            }
            Posix.fcntl(keep, Posix.F_SETFD, 0);
            Posix.unblockAllSignals();
            int errno = Posix.execv(path, cargv).errno();
            if (keep != regFd) {
                if (saved >= 0) {
                    Posix.dup2(saved, keep);
                    Posix.close(saved);
                } else {
                    Posix.close(keep);
                }
            }
            Posix.fcntl(regFd, Posix.F_SETFD, Posix.FD_CLOEXEC);
            return errno == 0 ? 2 : errno;
        }
    }

    /**
     * The descriptor number a C program would have got for a socket opened now: the
     * lowest one at or above 3 that is free or held only by the JVM itself (its class
     * image, the jars on its class path, directory listings). Descriptors the JVM
     * inherited from its parent count as taken, as they would for sanlock.
     */
    public static int lowestProgramDescriptor(int regFd) {
        java.util.Set<Integer> jvm = new java.util.HashSet<>(jvmDescriptors(regFd));
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (int fd : openDescriptors()) {
            if (fd != regFd && !jvm.contains(fd)) {
                taken.add(fd);
            }
        }
        int fd = 3;
        while (taken.contains(fd)) {
            fd++;
        }
        return fd;
    }

    /**
     * Descriptors above 2 the JVM opened for itself (its class image and other files under
     * java.home, the jars on its class path, class-data-sharing/AOT archives, a directory
     * listing of /proc/self/fd); they
     * must not reach the program. Descriptors inherited from our parent are passed on to
     * the program, as sanlock does.
     */
    private static List<Integer> jvmDescriptors(int regFd) {
        String javaHome = System.getProperty("java.home", "\0");
        java.util.Set<String> jars = new java.util.HashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                Path jar = Path.of(e).toAbsolutePath().normalize();
                jars.add(jar.toString());
                try {
                    jars.add(jar.toRealPath().toString());
                } catch (IOException ignored) {
                    // a class path entry that does not exist has no descriptor either
                }
            }
        }
        String procFd = "/proc/" + ProcessHandle.current().pid() + "/fd";
        List<Integer> out = new ArrayList<>();
        for (int fd : openDescriptors()) {
            if (fd <= 2 || fd == regFd) {
                continue;
            }
            String target;
            try {
                target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            } catch (IOException | UnsupportedOperationException e) {
                continue; // closed meanwhile (the listing's own descriptor)
            }
            if (target.startsWith(javaHome + "/") || jars.contains(target) || target.equals(procFd)
                    || target.endsWith(".jsa") || target.endsWith(".aot")) { // class-data archives
                out.add(fd);
            }
        }
        return out;
    }

    /** The descriptors open in this process (from /proc/self/fd). */
    private static List<Integer> openDescriptors() {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : ds) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            // Without /proc the JVM's descriptors may leak into the program: harmless, it never uses them.
        }
        return fds;
    }
}
