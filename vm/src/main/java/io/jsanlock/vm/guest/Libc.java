package io.jsanlock.vm.guest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The few libc calls the guest launcher needs, through Java's FFM API (no JNI): file
 * descriptor plumbing, signals, and execve so the launcher process becomes the guest (same pid,
 * so the same sanlock registration).
 * Every call returns the raw result; {@link #errno()} gives the errno of the last failed call.
 */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_APPEND = 02000;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int FD_CLOEXEC = 1;
    static final int SIG_SETMASK = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement
            .groupElement("errno"));
    private static final MemorySegment STATE = Arena.global().allocate(CAPTURE);

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle DUP2 = fn("dup2", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(INT, PTR, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(INT, INT, INT, INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETSID = fn("setsid", FunctionDescriptor.of(INT));
    private static final MethodHandle EXECVE = fn("execve", FunctionDescriptor.of(INT, PTR, PTR, PTR));
    private static final MethodHandle SIGMASK = fn("pthread_sigmask", FunctionDescriptor.of(INT, INT, PTR, PTR));
    private static final MethodHandle KILL = fn("kill", FunctionDescriptor.of(INT, INT, INT));

    private Libc() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... extra) {
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), d, opts);
    }

    /** errno of the last failed call made through this class. */
    static int errno() {
        return (int) ERRNO.get(STATE, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** Writes all of {@code data}; returns false on failure. */
    static boolean writeAll(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, 0, data.length);
            long done = 0;
            while (done < data.length) {
                long n = (long) WRITE.invokeExact(STATE, fd, seg.asSlice(done), (long) data.length - done);
                if (n <= 0) {
                    return false;
                }
                done += n;
            }
            return true;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int dup2(int from, int to) {
        try {
            return (int) DUP2.invokeExact(STATE, from, to);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(STATE, a.allocateFrom(path), flags, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int fcntl(int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(STATE, fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setsid() {
        try {
            return (int) SETSID.invokeExact(STATE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int kill(long pid, int sig) {
        try {
            return (int) KILL.invokeExact(STATE, (int) pid, sig);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Unblocks every signal in the calling thread, so the exec'd program starts with an empty mask. */
    static int unblockAllSignals() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(128); // sigset_t, zeroed = empty
            return (int) SIGMASK.invokeExact(STATE, SIG_SETMASK, set, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** execve(); returns only on failure (-1 with errno set). */
    static int execve(String path, List<String> argv, List<String> env) {
        try (Arena a = Arena.ofConfined()) {
            return (int) EXECVE.invokeExact(STATE, a.allocateFrom(path), cStrings(a, argv), cStrings(a, env));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment cStrings(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(PTR, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            arr.setAtIndex(PTR, i, a.allocateFrom(strings.get(i)));
        }
        arr.setAtIndex(PTR, strings.size(), MemorySegment.NULL);
        return arr;
    }
}
