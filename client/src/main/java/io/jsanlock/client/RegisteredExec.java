package io.jsanlock.client;

import java.io.IOException;
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
    private static final int F_SETFD = 2;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int FD_CLOEXEC = 1;
    private static final int SIG_SETMASK = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private RegisteredExec() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... extra) {
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), d, opts);
    }

    /** Native entry points, linked only when an exec actually happens (keeps CLI start-up lean). */
    private static final class Native {
        static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), Linker.Option.firstVariadicArg(2));
        static final MethodHandle DUP2 = fn("dup2", FunctionDescriptor.of(INT, INT, INT));
        static final MethodHandle EXECV = fn("execv", FunctionDescriptor.of(INT, PTR, PTR));
        static final MethodHandle SIGMASK = fn("pthread_sigmask", FunctionDescriptor.of(INT, INT, PTR, PTR));
        static final MethodHandle ISATTY = fn("isatty", FunctionDescriptor.of(INT, INT));
        static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(INT, INT));
        static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
                FunctionDescriptor.of(PTR, INT));
    }

    /** Whether {@code fd} is a terminal (C's isatty). */
    public static boolean isatty(int fd) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.ISATTY.invokeExact(a.allocate(CAPTURE), fd) == 1;
        } catch (Throwable t) {
            throw new IllegalStateException("isatty failed", t);
        }
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
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            MemorySegment path = cString(a, argv.get(0));
            MemorySegment cargv = cStrings(a, argv);
            MemorySegment emptySet = a.allocate(128); // sigset_t, zeroed = no signal blocked
            for (int fd : jvmDescriptors(regFd)) {
                int r = (int) Native.FCNTL.invokeExact(state, fd, F_SETFD, FD_CLOEXEC);
            }
            int keep = regFd;
            int saved = -1;
            if (targetFd >= 0 && targetFd != regFd) {
                // Keep whatever the JVM has at targetFd (e.g. its class image or jar) in a spare
                // descriptor, so a failed execv can put it back before any class is loaded again.
                saved = (int) Native.FCNTL.invokeExact(state, targetFd, F_DUPFD_CLOEXEC, 3);
                // dup2 gives a descriptor without FD_CLOEXEC; the original stays close-on-exec.
                int r = (int) Native.DUP2.invokeExact(state, regFd, targetFd);
                if (r == targetFd) {
                    keep = targetFd;
                    int c = (int) Native.FCNTL.invokeExact(state, regFd, F_SETFD, FD_CLOEXEC);
                }
            }
            int f = (int) Native.FCNTL.invokeExact(state, keep, F_SETFD, 0);
            int m = (int) Native.SIGMASK.invokeExact(state, SIG_SETMASK, emptySet, MemorySegment.NULL);
            int rv = (int) Native.EXECV.invokeExact(state, path, cargv);
            int errno = (int) ERRNO.get(state, 0L);
            if (keep != regFd) {
                if (saved >= 0) {
                    int r = (int) Native.DUP2.invokeExact(state, saved, keep);
                    int c = (int) Native.CLOSE.invokeExact(state, saved);
                } else {
                    int c = (int) Native.CLOSE.invokeExact(state, keep);
                }
            }
            int c = (int) Native.FCNTL.invokeExact(state, regFd, F_SETFD, FD_CLOEXEC);
            return errno == 0 ? 2 : errno;
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("execv failed", t);
        }
    }

    /** C's strerror text for an errno ("No such file or directory"). */
    public static String strerror(int errno) {
        try {
            MemorySegment p = (MemorySegment) Native.STRERROR.invokeExact(errno);
            return p.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
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

    /** A byte-string argument (one char per byte, as argv was read) as the exact C string. */
    private static MemorySegment cString(Arena a, String byteString) {
        return a.allocateFrom(ValueLayout.JAVA_BYTE, io.jsanlock.base.ByteStrings.toCString(byteString));
    }

    private static MemorySegment cStrings(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(PTR, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            arr.setAtIndex(PTR, i, cString(a, strings.get(i)));
        }
        arr.setAtIndex(PTR, strings.size(), MemorySegment.NULL);
        return arr;
    }
}
