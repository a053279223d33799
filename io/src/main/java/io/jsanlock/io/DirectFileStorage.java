package io.jsanlock.io;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.io.aio.AioContexts;
import io.jsanlock.posix.Errno;
import io.jsanlock.posix.Posix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * {@link SectorStorage} on a regular file or block device with O_DIRECT,
 * through FFM: sanlock opens lease storage {@code O_DIRECT | O_SYNC} so that
 * every read sees what other hosts wrote to the shared device, not a cached
 * copy (ondisk.md 9). NIO's DIRECT option cannot be used: it aligns to the
 * filesystem block and cannot move a single 512-byte sector.
 *
 * <p>Each I/O goes through a native buffer aligned to 4096 bytes, borrowed from
 * {@link AlignedBuffers} and shared by the caller and the I/O task; it goes back
 * to the pool only after the system call has returned, so an I/O abandoned after
 * a timeout never writes into memory that was reused.
 *
 * <p>Where the filesystem refuses O_DIRECT (open fails with EINVAL, e.g.
 * tmpfs), the file is reopened with O_SYNC only and a warning is logged: fine
 * for a single machine, unsafe for storage shared between hosts.
 */
public final class DirectFileStorage implements SectorStorage {
    private static final int BUFFER_ALIGN = 4096;

    /** How to open the storage. */
    public enum Access {
        READ_ONLY, READ_WRITE
    }

    private final String path;
    private final int fd;
    private final int sectorSize;
    private final boolean blockDevice;
    private final boolean direct;
    private final Object lock = new Object();
    private int inFlight;
    private boolean closed;
    private boolean fdClosed;
    /** Set by tests (and {@link #forceWorkerThreads}) to take the worker-thread path even where AIO works. */
    private volatile boolean workerThreadsOnly;
    /** Null when Linux AIO can carry O_DIRECT I/O in this process; else why not. */
    private static final @Nullable String AIO_UNAVAILABLE = AioContexts.unavailableReason();
    /** Test seam: runs on the I/O worker just before each system call (simulates a hung or failing device). */
    volatile @Nullable SyscallHook beforeSyscall;

    /** The test seam's type (package-private: only this package's tests install one). */
    @FunctionalInterface
    interface SyscallHook {
        /** @throws SanlockException to fail this I/O with that code */
        void beforeIo(boolean write, long offset, int length) throws SanlockException, InterruptedException;
    }

    private DirectFileStorage(String path, int fd, int sectorSize, boolean blockDevice, boolean direct) {
        this.path = path;
        this.fd = fd;
        this.sectorSize = sectorSize;
        this.blockDevice = blockDevice;
        this.direct = direct;
    }

    /**
     * Opens a {@link Path} for direct I/O: its name as the JVM would pass it to the OS
     * (encoded with sun.jnu.encoding). Lease paths that come from argv or the wire are
     * byte strings: open those with {@link #open(String, Access)}.
     */
    public static DirectFileStorage open(Path path, Access access) throws SanlockException {
        return open(ByteStrings.encoded(path.toString(), ByteStrings.platformCharset()), access);
    }

    /**
     * Opens the byte-string path {@code path} (one char per byte, {@link ByteStrings})
     * for direct I/O; open(2) gets exactly those bytes, whatever the locale.
     *
     * @throws SanlockException ENOENT when the path does not exist, otherwise
     *         the negated errno of the failed open
     */
    public static DirectFileStorage open(String path, Access access) throws SanlockException {
        String p = path;
        if (!ByteStrings.isByteString(p)) {
            throw new SanlockException(SanlockError.EINVAL, "path is text, not a byte string (encode it with ByteStrings.utf8): " + p);
        }
        int base = (access == Access.READ_ONLY ? Posix.O_RDONLY : Posix.O_RDWR) | Posix.O_CLOEXEC;
        Posix.Result r = Posix.open(p, base | Posix.O_DIRECT | Posix.O_SYNC);
        boolean direct = true;
        if (r.failed() && r.errno() == Errno.EINVAL) {
            r = Posix.open(p, base | Posix.O_SYNC);
            direct = false;
            if (!r.failed()) {
                System.getLogger(DirectFileStorage.class.getName()).log(System.Logger.Level.WARNING, "{0}: the filesystem refuses O_DIRECT; using O_SYNC without "
                        + "O_DIRECT (reads may be served from the page cache; do not share this storage between hosts)", p);
            }
        }
        if (r.failed()) {
            if (r.errno() == Errno.ENOENT) {
                throw new SanlockException(SanlockError.ENOENT, "no such file or device: " + p);
            }
            throw new SanlockException(-r.errno(), "cannot open " + p + ": errno " + r.errno(), null);
        }
        int fd = (int) r.value();
        boolean block;
        try {
            Posix.FileStat st = Posix.fstat(fd);
            if (st.isDirectory()) {
                // Read-write opens of a directory fail with EISDIR; a read-only one succeeds,
                // but lease storage is never a directory: the same answer for both.
                throw new SanlockException(-Errno.EISDIR, p + " is a directory, not a lease file or block device", null);
            }
            block = st.isBlockDevice();
        } catch (SanlockException e) {
            Posix.close(fd);
            throw e;
        }
        int sector = 512;
        if (block) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
                Posix.Result ir = Posix.ioctl(fd, Posix.BLKSSZGET, out);
                if (ir.failed()) {
                    Posix.close(fd);
                    throw new SanlockException(-ir.errno(), "BLKSSZGET failed on " + p + ": errno " + ir.errno(), null);
                }
                sector = out.get(ValueLayout.JAVA_INT, 0);
            }
        }
        return new DirectFileStorage(p, fd, sector, block, direct);
    }

    /**
     * Makes every later I/O of this storage go through an I/O worker thread instead of
     * Linux AIO (tests prove both paths; the process-wide switch is
     * {@code -Djsanlock.io.aio=off} or {@code JSANLOCK_IO_AIO=off}).
     */
    public void forceWorkerThreads(boolean on) {
        workerThreadsOnly = on;
    }

    /**
     * Frees the aligned I/O buffers a burst of parallel I/O left beyond what is kept when idle,
     * once no burst has needed them for half a second (a long-running process calls this
     * periodically: the lease engine's monitor tick does).
     */
    public static void trimBuffers() {
        AlignedBuffers.trim();
    }

    /** Why Linux AIO is not used in this process (null: it is used for O_DIRECT storage). */
    public static @Nullable String aioUnavailableReason() {
        return AIO_UNAVAILABLE;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    /** True when the storage is a block device (else a regular file). */
    public boolean isBlockDevice() {
        return blockDevice;
    }

    /** False when the filesystem refused O_DIRECT and I/O goes through the page cache. */
    public boolean isDirect() {
        return direct;
    }

    @Override
    public long size() throws SanlockException {
        if (blockDevice) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
                Posix.Result r = Posix.ioctl(fd, Posix.BLKGETSIZE64, out);
                if (r.failed()) {
                    throw new SanlockException(-r.errno(), "BLKGETSIZE64 failed on " + path + ": errno " + r.errno(), null);
                }
                return out.get(ValueLayout.JAVA_LONG, 0);
            }
        }
        return Posix.fstat(fd).size();
    }

    @Override
    public int read(long offset, ByteBuffer dst, long timeoutMillis) throws SanlockException {
        int len = dst.remaining();
        checkAligned(offset, len);
        if (len == 0) {
            return 0;
        }
        begin();
        AlignedBuffers.Loan loan;
        try {
            loan = AlignedBuffers.take(len);
        } catch (RuntimeException | Error e) {
            end();
            throw e;
        }
        MemorySegment buf = loan.segment;
        int got;
        try {
            got = transfer(false, buf, len, offset, timeoutMillis, loan);
            // Only now, with the I/O finished, does the caller's buffer see the data.
            dst.put(buf.asSlice(0, got).asByteBuffer());
        } finally {
            loan.done(); // the caller's share: after the copy, or at once when the I/O was abandoned
        }
        return got;
    }

    @Override
    public void write(long offset, ByteBuffer src, long timeoutMillis) throws SanlockException {
        int len = src.remaining();
        checkAligned(offset, len);
        if (len == 0) {
            return;
        }
        AlignedBuffers.Loan loan = AlignedBuffers.take(len);
        MemorySegment buf = loan.segment;
        try {
            buf.asSlice(0, len).asByteBuffer().put(src.duplicate());
            begin();
        } catch (SanlockException | RuntimeException | Error e) {
            loan.done();
            loan.done();
            throw e;
        }
        try {
            transfer(true, buf, len, offset, timeoutMillis, loan);
        } finally {
            loan.done(); // the caller's share: it never touches buf after submitting
        }
        src.position(src.position() + len);
    }

    /** True when this thread's next read and write go through Linux AIO (else through an I/O worker). */
    boolean usesAio() {
        return usesAio(false) && usesAio(true);
    }

    /** True when this thread's next read ({@code write} false) or write goes through Linux AIO. */
    boolean usesAio(boolean write) {
        // Writes to a regular file: see AioContexts.forFileWrites() (slower through AIO).
        if (write && !blockDevice && !AioContexts.forFileWrites()) {
            return false;
        }
        // Only with O_DIRECT: without it Linux AIO runs the copy synchronously inside
        // io_submit, which a hung device would then block, timeout or not.
        // Not on a virtual thread: io_getevents is a blocking native call that would pin the
        // carrier (FFM downcalls cannot unmount), stalling other virtual threads for up to the
        // I/O timeout; there the hand-off to a worker lets the virtual thread unmount.
        // Not with the test hook installed: it simulates a hang on the worker thread.
        return direct && !workerThreadsOnly && AIO_UNAVAILABLE == null && beforeSyscall == null
                && !Thread.currentThread().isVirtual();
    }

    /**
     * One logical transfer of {@code len} bytes of {@code buf}. The I/O's share of {@code loan}
     * and its {@link #end()} are released exactly once, when no system call or kernel request
     * uses {@code buf} any more: here on return, or later for an abandoned request.
     */
    private int transfer(boolean write, MemorySegment buf, int len, long offset, long timeoutMillis, AlignedBuffers.Loan loan)
            throws SanlockException {
        int done = 0;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        if (usesAio(write)) {
            Runnable kernelDone = () -> {
                loan.done();
                end();
            };
            long r = 0;
            while (done < len) {
                long left = timeoutMillis > 0 ? deadline - System.nanoTime() : 0;
                if (timeoutMillis > 0 && left <= 0) {
                    kernelDone.run(); // nothing of ours with the kernel: the last request completed
                    throw timedOut(write, len, offset, timeoutMillis);
                }
                try {
                    r = AioContexts.transfer(fd, write, buf.asSlice(done), len - done, offset + done, left, kernelDone);
                } catch (AioContexts.TimedOut e) {
                    // Abandoned: kernelDone runs when the request is reaped, not before.
                    throw timedOut(write, len, offset, timeoutMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SanlockException(-4, describe(write, len, offset) + " interrupted while waiting for the I/O", e);
                }
                if (r == AioContexts.NOT_SUBMITTED) {
                    break; // the rest through a worker, below
                }
                if (r < 0) {
                    kernelDone.run();
                    throw new SanlockException((int) r, (write ? "pwrite" : "pread") + " of " + (len - done) + " bytes at offset "
                            + (offset + done) + " on " + path + " failed: errno " + -r, null);
                }
                if (r == 0) {
                    if (write) {
                        kernelDone.run();
                        throw new SanlockException(SanlockError.EIO, "pwrite wrote nothing at offset " + (offset + done) + " on " + path);
                    }
                    break; // end of the storage: a short read
                }
                done += (int) r;
            }
            if (r != AioContexts.NOT_SUBMITTED) {
                kernelDone.run();
                return done;
            }
        }
        int from = done;
        long left = timeoutMillis <= 0 || from == 0 ? timeoutMillis : Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
        return IoWorkers.run(() -> {
            try {
                return syscalls(write, buf, from, len, offset);
            } finally {
                loan.done(); // the I/O task's share: the system call has returned
                end();
            }
        }, left, describe(write, len, offset));
    }

    private String describe(boolean write, int len, long offset) {
        return (write ? "write" : "read") + " of " + len + " bytes at offset " + offset + " on " + path;
    }

    private SanlockException timedOut(boolean write, int len, long offset, long timeoutMillis) {
        return new SanlockException(SanlockError.AIO_TIMEOUT, describe(write, len, offset) + " timed out after " + timeoutMillis + " ms");
    }

    /** One logical transfer from byte {@code from} on, looping on short counts; runs on an I/O worker. */
    private int syscalls(boolean write, MemorySegment buf, int from, int len, long offset) throws SanlockException {
        SyscallHook hook = beforeSyscall;
        if (hook != null) {
            try {
                hook.beforeIo(write, offset, len);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SanlockException(-4, "I/O interrupted", e);
            }
        }
        int done = from;
        while (done < len) {
            MemorySegment part = buf.asSlice(done);
            Posix.Result r = write ? Posix.pwrite(fd, part, len - done, offset + done)
                    : Posix.pread(fd, part, len - done, offset + done);
            if (r.failed()) {
                if (r.errno() == Errno.EINTR) {
                    continue;
                }
                throw new SanlockException(-r.errno(), (write ? "pwrite" : "pread") + " of " + (len - done)
                        + " bytes at offset " + (offset + done) + " on " + path + " failed: errno " + r.errno(), null);
            }
            if (r.value() == 0) {
                if (write) {
                    throw new SanlockException(SanlockError.EIO, "pwrite wrote nothing at offset " + (offset + done) + " on " + path);
                }
                break;
            }
            done += (int) r.value();
        }
        return done;
    }

    private void checkAligned(long offset, int len) throws SanlockException {
        if (offset < 0 || offset % sectorSize != 0 || len % sectorSize != 0) {
            throw new SanlockException(SanlockError.EINVAL, "I/O of " + len + " bytes at offset " + offset + " on " + path
                    + " is not aligned to its " + sectorSize + "-byte sectors");
        }
    }

    /** I/Os started and not yet finished by the kernel (abandoned ones included); for tests. */
    int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    /** True once the descriptor is closed (after close() and the last I/O's completion); for tests. */
    boolean descriptorClosed() {
        synchronized (lock) {
            return fdClosed;
        }
    }

    private void begin() throws SanlockException {
        synchronized (lock) {
            if (closed) {
                throw new SanlockException(SanlockError.EBADF, path + " is closed");
            }
            inFlight++;
        }
    }

    private void end() {
        synchronized (lock) {
            inFlight--;
            if (closed && inFlight == 0) {
                closeFd();
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (inFlight == 0) {
                closeFd();
            }
        }
    }

    private void closeFd() {
        if (!fdClosed) {
            fdClosed = true;
            Posix.close(fd);
        }
    }

    @Override
    public String toString() {
        return "DirectFileStorage[" + path + (blockDevice ? ", block device" : "") + ", sector " + sectorSize
                + (direct ? ", O_DIRECT" : ", buffered") + "]";
    }
}
