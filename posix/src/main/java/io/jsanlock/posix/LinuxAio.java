package io.jsanlock.posix;

import org.jspecify.annotations.Nullable;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The Linux native AIO system calls (io_setup, io_submit, io_getevents, io_destroy) through
 * FFM, called with libc's {@code syscall(2)}: glibc has no wrappers for them (libaio is a
 * separate library we do not want to depend on). This is what sanlock uses for its lease
 * I/O: the request is submitted from the calling thread and the same thread waits for its
 * completion with a timeout, so no thread hand-off is needed per I/O, and a request that
 * does not complete in time is simply left with the kernel and reaped later.
 *
 * <p>Only the bindings and the kernel's struct layouts live here (linked through {@link Native},
 * like every libc call); io's {@code AioContexts} owns the contexts and the bookkeeping of requests.
 */
public final class LinuxAio {
    /** System call numbers: x86_64 (arch/x86/entry/syscalls/syscall_64.tbl) and the generic table (aarch64). */
    private static final long SYS_IO_SETUP;
    private static final long SYS_IO_DESTROY;
    private static final long SYS_IO_SUBMIT;
    private static final long SYS_IO_GETEVENTS;
    /** Null when this architecture's numbers are unknown: then AIO is unavailable. */
    public static final @Nullable String UNSUPPORTED_ARCH;

    static {
        String arch = System.getProperty("os.arch");
        if ("amd64".equals(arch) || "x86_64".equals(arch)) {
            SYS_IO_SETUP = 206;
            SYS_IO_DESTROY = 207;
            SYS_IO_GETEVENTS = 208;
            SYS_IO_SUBMIT = 209;
            UNSUPPORTED_ARCH = null;
        } else if ("aarch64".equals(arch)) {
            SYS_IO_SETUP = 0;
            SYS_IO_DESTROY = 1;
            SYS_IO_SUBMIT = 2;
            SYS_IO_GETEVENTS = 4;
            UNSUPPORTED_ARCH = null;
        } else {
            SYS_IO_SETUP = SYS_IO_DESTROY = SYS_IO_SUBMIT = SYS_IO_GETEVENTS = -1;
            UNSUPPORTED_ARCH = arch;
        }
    }

    public static final short IOCB_CMD_PREAD = 0;
    public static final short IOCB_CMD_PWRITE = 1;

    /** struct iocb (include/uapi/linux/aio_abi.h), 64 bytes; offsets for little-endian 64-bit. */
    public static final long IOCB_SIZE = 64;
    public static final long IOCB_DATA = 0;
    public static final long IOCB_LIO_OPCODE = 16;
    public static final long IOCB_FILDES = 20;
    public static final long IOCB_BUF = 24;
    public static final long IOCB_NBYTES = 32;
    public static final long IOCB_OFFSET = 40;

    /** struct io_event: data, obj, res, res2 (u64 each). */
    public static final long EVENT_SIZE = 32;
    public static final long EVENT_DATA = 0;
    public static final long EVENT_RES = 16;

    public static final int EINTR = 4;
    public static final int EAGAIN = 11;

    /** The layout of the call state (errno) each call takes as its first argument. */
    public static final StructLayout CALL_STATE = Native.CALL_STATE;

    // syscall(long number, ...): the variadic arguments are passed as longs/pointers, which
    // is how the kernel ABI takes them (no promotion issue: every argument is 64-bit).
    private static final MethodHandle SYSCALL2 = bind(2);
    private static final MethodHandle SYSCALL3 = bind(3);
    private static final MethodHandle SYSCALL5 = bind(5);

    private LinuxAio() {
    }

    private static MethodHandle bind(int args) {
        MemoryLayout[] argLayouts = new MemoryLayout[args + 1];
        java.util.Arrays.fill(argLayouts, ValueLayout.JAVA_LONG);
        return Native.bind("syscall", FunctionDescriptor.of(ValueLayout.JAVA_LONG, argLayouts), 1);
    }

    /** The errno captured in {@code state} by the last call that failed. */
    public static int errno(MemorySegment state) {
        return Native.errno(state);
    }

    /** {@code io_setup(nr, &ctx)}: the new context's id, or -errno. */
    public static long ioSetup(MemorySegment state, int nrEvents) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctxp = a.allocate(ValueLayout.JAVA_LONG); // must be zero on entry
            long r = (long) SYSCALL2.invokeExact(state, SYS_IO_SETUP, (long) nrEvents, ctxp.address());
            return r < 0 ? -errno(state) : ctxp.get(ValueLayout.JAVA_LONG, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("io_setup downcall failed", t);
        }
    }

    /** io_destroy(ctx): waits for the context's outstanding requests; 0 or -errno. */
    public static long ioDestroy(MemorySegment state, long ctx) {
        try {
            long r = (long) SYSCALL2.invokeExact(state, SYS_IO_DESTROY, ctx, 0L);
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("io_destroy downcall failed", t);
        }
    }

    /** io_submit(ctx, nr, iocbpp): the number submitted, or -errno. */
    public static long ioSubmit(MemorySegment state, long ctx, long nr, MemorySegment iocbpp) {
        try {
            long r = (long) SYSCALL3.invokeExact(state, SYS_IO_SUBMIT, ctx, nr, iocbpp.address());
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("io_submit downcall failed", t);
        }
    }

    /** io_getevents(ctx, min, max, events, timeout): the number of events, 0 on timeout, or -errno. */
    public static long ioGetevents(MemorySegment state, long ctx, long minNr, long nr, MemorySegment events, MemorySegment timespec) {
        try {
            long r = (long) SYSCALL5.invokeExact(state, SYS_IO_GETEVENTS, ctx, minNr, nr, events.address(), timespec.address());
            return r < 0 ? -errno(state) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("io_getevents downcall failed", t);
        }
    }
}
