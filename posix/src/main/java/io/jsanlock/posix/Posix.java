package io.jsanlock.posix;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls on files and processes: direct I/O (open, statx, pread, pwrite, ioctl, close),
 * descriptor plumbing (fcntl, dup2, write), and turning the JVM into another program (setsid,
 * signal mask, execv/execve, kill). Each returns a {@link Result}: the call's value, or -1 with
 * the errno captured right after it. Paths and arguments are byte strings
 * ({@link io.jsanlock.base.ByteStrings}): C gets exactly their bytes, never a locale encoding.
 * The socket calls are in {@link Sockets}.
 */
public final class Posix {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_SYNC = 0x101000;
    /** O_DIRECT differs between architectures. */
    public static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0x10000 : 0x4000;

    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int FD_CLOEXEC = 1;
    public static final int SIG_SETMASK = 2;

    /** ioctl: logical sector size of a block device (int). */
    public static final long BLKSSZGET = 0x1268;
    /** ioctl: size in bytes of a block device (u64). */
    public static final long BLKGETSIZE64 = 0x80081272L;

    // Each downcall is linked on first use (holder classes): linking generates code, and a
    // read-only command should not pay for pwrite or ioctl.
    private static final class Open {
        static final MethodHandle H = Native.bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    }

    private static final class Statx {
        static final MethodHandle H = Native.bind("statx",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class Pread {
        static final MethodHandle H = Native.bind("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }

    private static final class Pwrite {
        static final MethodHandle H = Native.bind("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }

    private static final class Write {
        static final MethodHandle H = Native.bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Ioctl {
        static final MethodHandle H = Native.bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    }

    private static final class Isatty {
        static final MethodHandle H = Native.bind("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Setsid {
        static final MethodHandle H = Native.bind("setsid", FunctionDescriptor.of(JAVA_INT));
    }

    private static final class Kill {
        static final MethodHandle H = Native.bind("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Close {
        static final MethodHandle H = Native.bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Fcntl {
        static final MethodHandle H = Native.bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    }

    private static final class Dup2 {
        static final MethodHandle H = Native.bind("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class SigMask {
        static final MethodHandle H = Native.bind("pthread_sigmask", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class Execv {
        static final MethodHandle H = Native.bind("execv", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class Execve {
        static final MethodHandle H = Native.bind("execve", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    }

    private Posix() {
    }

    /** Result of a call: its value, or -1 (any negative value) with errno. */
    public record Result(long value, int errno) {
        public boolean failed() {
            return value < 0;
        }

        /** The value as an int (a descriptor, a count of an int call). */
        public int intValue() {
            return (int) value;
        }
    }

    private static Result result(long value, MemorySegment state) {
        return new Result(value, value < 0 ? Native.errno(state) : 0);
    }

    private static IllegalStateException downcallFailed(String name, Throwable t) {
        return new IllegalStateException(name + " downcall failed", t);
    }

    /** open(2) of the byte string {@code path} (one char per byte; never charset-encoded), mode 0. */
    public static Result open(String path, int flags) {
        return open(path, flags, 0);
    }

    /** open(2) of the byte string {@code path} with {@code mode} for a file O_CREAT makes. */
    public static Result open(String path, int flags, int mode) {
        byte[] cpath = ByteStrings.toCString(path);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            int fd = (int) Open.H.invokeExact(state, a.allocateFrom(ValueLayout.JAVA_BYTE, cpath), flags, mode);
            return result(fd, state);
        } catch (Throwable t) {
            throw downcallFailed("open", t);
        }
    }

    /** struct statx offsets (the same on every architecture, unlike struct stat). */
    private static final int STATX_SIZE_OF = 256;
    private static final int STX_MODE = 28;
    private static final int STX_SIZE = 40;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE_MODE_SIZE = 0x1 | 0x2 | 0x200;

    /** What fstat tells of an open descriptor: st_mode and st_size. */
    public record FileStat(int mode, long size) {
        public boolean isBlockDevice() {
            return (mode & 0170000) == 0060000;
        }

        public boolean isDirectory() {
            return (mode & 0170000) == 0040000;
        }
    }

    /**
     * fstat through statx(fd, "", AT_EMPTY_PATH): no path, so no encoding question.
     *
     * @throws SanlockException -errno when statx fails
     */
    public static FileStat fstat(int fd) throws SanlockException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            MemorySegment buf = a.allocate(STATX_SIZE_OF, 8);
            int r = (int) Statx.H.invokeExact(state, fd, a.allocateFrom(ValueLayout.JAVA_BYTE, new byte[1]), AT_EMPTY_PATH,
                    STATX_TYPE_MODE_SIZE, buf);
            if (r < 0) {
                int errno = Native.errno(state);
                throw new SanlockException(-errno, "fstat failed: errno " + errno, null);
            }
            return new FileStat(Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STX_MODE)),
                    buf.get(ValueLayout.JAVA_LONG, STX_SIZE));
        } catch (SanlockException e) {
            throw e;
        } catch (Throwable t) {
            throw downcallFailed("statx", t);
        }
    }

    public static Result pread(int fd, MemorySegment buf, long len, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((long) Pread.H.invokeExact(state, fd, buf, len, offset), state);
        } catch (Throwable t) {
            throw downcallFailed("pread", t);
        }
    }

    public static Result pwrite(int fd, MemorySegment buf, long len, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((long) Pwrite.H.invokeExact(state, fd, buf, len, offset), state);
        } catch (Throwable t) {
            throw downcallFailed("pwrite", t);
        }
    }

    /** Writes all of {@code data} to {@code fd}; false when a write fails or writes nothing. */
    public static boolean writeAll(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            MemorySegment seg = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, 0, data.length);
            long done = 0;
            while (done < data.length) {
                long n = (long) Write.H.invokeExact(state, fd, seg.asSlice(done), (long) data.length - done);
                if (n <= 0) {
                    return false;
                }
                done += n;
            }
            return true;
        } catch (Throwable t) {
            throw downcallFailed("write", t);
        }
    }

    /** ioctl with a pointer argument; the out value is read from {@code arg} by the caller. */
    public static Result ioctl(int fd, long request, MemorySegment arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((int) Ioctl.H.invokeExact(state, fd, request, arg), state);
        } catch (Throwable t) {
            throw downcallFailed("ioctl", t);
        }
    }

    public static Result close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((int) Close.H.invokeExact(state, fd), state);
        } catch (Throwable t) {
            throw downcallFailed("close", t);
        }
    }

    /** fcntl with an int argument (F_GETFD, F_SETFD, F_DUPFD_CLOEXEC, ...). */
    public static Result fcntl(int fd, int cmd, int arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((int) Fcntl.H.invokeExact(state, fd, cmd, arg), state);
        } catch (Throwable t) {
            throw downcallFailed("fcntl", t);
        }
    }

    public static Result dup2(int from, int to) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((int) Dup2.H.invokeExact(state, from, to), state);
        } catch (Throwable t) {
            throw downcallFailed("dup2", t);
        }
    }

    /** Whether {@code fd} is a terminal (C's isatty). */
    public static boolean isatty(int fd) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Isatty.H.invokeExact(Native.callState(a), fd) == 1;
        } catch (Throwable t) {
            throw downcallFailed("isatty", t);
        }
    }

    public static Result setsid() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((int) Setsid.H.invokeExact(state), state);
        } catch (Throwable t) {
            throw downcallFailed("setsid", t);
        }
    }

    public static Result kill(long pid, int sig) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return result((int) Kill.H.invokeExact(state, (int) pid, sig), state);
        } catch (Throwable t) {
            throw downcallFailed("kill", t);
        }
    }

    /**
     * Links now the calls an exec sequence makes (close, fcntl, dup2, pthread_sigmask, execv):
     * between moving descriptors and the exec nothing may load a class (a descriptor of the
     * JVM's class image may have been replaced), so none may be linked there for the first time.
     */
    public static void prepareExec() {
        MethodHandle[] linked = {Close.H, Fcntl.H, Dup2.H, SigMask.H, Execv.H};
    }

    /** Unblocks every signal in the calling thread, so an exec'd program starts with an empty mask. */
    public static Result unblockAllSignals() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            MemorySegment emptySet = a.allocate(128); // sigset_t, zeroed = no signal blocked
            return result((int) SigMask.H.invokeExact(state, SIG_SETMASK, emptySet, MemorySegment.NULL), state);
        } catch (Throwable t) {
            throw downcallFailed("pthread_sigmask", t);
        }
    }

    /**
     * execv(path, argv) with this process's environment: returns only on failure. The C
     * strings come from {@link #cString} and {@link #cStrings}, made before any descriptor moves.
     */
    public static Result execv(MemorySegment path, MemorySegment argv) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return new Result((int) Execv.H.invokeExact(state, path, argv), Native.errno(state));
        } catch (Throwable t) {
            throw downcallFailed("execv", t);
        }
    }

    /** execve(path, argv, env): returns only on failure. The strings are byte strings. */
    public static Result execve(String path, List<String> argv, List<String> env) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.callState(a);
            return new Result((int) Execve.H.invokeExact(state, cString(a, path), cStrings(a, argv), cStrings(a, env)),
                    Native.errno(state));
        } catch (Throwable t) {
            throw downcallFailed("execve", t);
        }
    }

    /** The byte string as a NUL-terminated C string in {@code a}. */
    public static MemorySegment cString(Arena a, String byteString) {
        return a.allocateFrom(ValueLayout.JAVA_BYTE, ByteStrings.toCString(byteString));
    }

    /** A NULL-terminated array of C strings (argv, envp) in {@code a}. */
    public static MemorySegment cStrings(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            arr.setAtIndex(ADDRESS, i, cString(a, strings.get(i)));
        }
        arr.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return arr;
    }
}
