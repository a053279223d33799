package io.jsanlock.io;

import io.jsanlock.base.ByteStrings;
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

/**
 * The few libc calls direct I/O needs (open, statx, pread, pwrite, ioctl, close),
 * bound through FFM with errno captured right after each call. Paths are byte strings
 * (see {@link io.jsanlock.base.ByteStrings}): open(2) gets exactly their bytes.
 */
final class Posix {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int O_SYNC = 0x101000;
    /** O_DIRECT differs between architectures. */
    static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0x10000 : 0x4000;

    static final int ENOENT = 2;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EINTR = 4;

    /** ioctl: logical sector size of a block device (int). */
    static final long BLKSSZGET = 0x1268;
    /** ioctl: size in bytes of a block device (u64). */
    static final long BLKGETSIZE64 = 0x80081272L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    // Each downcall is linked on first use (holder classes): linking generates code, and a
    // read-only command should not pay for pwrite or ioctl.
    private static final class Open {
        static final MethodHandle H = bind("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                CAPTURE, Linker.Option.firstVariadicArg(2));
    }

    private static final class Statx {
        static final MethodHandle H = bind("statx",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
                CAPTURE);
    }

    private static final class Pread {
        static final MethodHandle H = bind("pread",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                CAPTURE);
    }

    private static final class Pwrite {
        static final MethodHandle H = bind("pwrite",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                CAPTURE);
    }

    private static final class Ioctl {
        static final MethodHandle H = bind("ioctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                CAPTURE, Linker.Option.firstVariadicArg(2));
    }

    private static final class Close {
        static final MethodHandle H = bind("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE);
    }

    private Posix() {
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment addr = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, options);
    }

    /** Result of a call: value, or -1 with errno. */
    record Result(long value, int errno) {
        boolean failed() {
            return value < 0;
        }
    }

    /** open(2) of the byte string {@code path} (one char per byte; never charset-encoded). */
    static Result open(String path, int flags) {
        byte[] cpath = ByteStrings.toCString(path);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            int fd = (int) Open.H.invokeExact(state, a.allocateFrom(ValueLayout.JAVA_BYTE, cpath), flags, 0);
            return new Result(fd, fd < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed", t);
        }
    }

    /** struct statx offsets (the same on every architecture, unlike struct stat). */
    private static final int STATX_SIZE_OF = 256;
    private static final int STX_MODE = 28;
    private static final int STX_SIZE = 40;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE_MODE_SIZE = 0x1 | 0x2 | 0x200;

    /** What fstat tells of an open descriptor: st_mode and st_size. */
    record FileStat(int mode, long size) {
        boolean isBlockDevice() {
            return (mode & 0170000) == 0060000;
        }

        boolean isDirectory() {
            return (mode & 0170000) == 0040000;
        }
    }

    /** fstat through statx(fd, "", AT_EMPTY_PATH): no path, so no encoding question. */
    static FileStat fstat(int fd) throws io.jsanlock.base.SanlockException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            MemorySegment buf = a.allocate(STATX_SIZE_OF, 8);
            int r = (int) Statx.H.invokeExact(state, fd, a.allocateFrom(ValueLayout.JAVA_BYTE, new byte[1]), AT_EMPTY_PATH,
                    STATX_TYPE_MODE_SIZE, buf);
            if (r < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                throw new io.jsanlock.base.SanlockException(-errno, "fstat failed: errno " + errno, null);
            }
            return new FileStat(Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STX_MODE)),
                    buf.get(ValueLayout.JAVA_LONG, STX_SIZE));
        } catch (io.jsanlock.base.SanlockException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("statx downcall failed", t);
        }
    }

    static Result pread(int fd, MemorySegment buf, long len, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            long n = (long) Pread.H.invokeExact(state, fd, buf, len, offset);
            return new Result(n, n < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("pread downcall failed", t);
        }
    }

    static Result pwrite(int fd, MemorySegment buf, long len, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            long n = (long) Pwrite.H.invokeExact(state, fd, buf, len, offset);
            return new Result(n, n < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("pwrite downcall failed", t);
        }
    }

    /** ioctl with a pointer argument; the out value is read from {@code arg} by the caller. */
    static Result ioctl(int fd, long request, MemorySegment arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            int r = (int) Ioctl.H.invokeExact(state, fd, request, arg);
            return new Result(r, r < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl downcall failed", t);
        }
    }

    static Result close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            int r = (int) Close.H.invokeExact(state, fd);
            return new Result(r, r < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        }
    }
}
