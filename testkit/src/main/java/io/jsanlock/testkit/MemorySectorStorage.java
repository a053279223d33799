package io.jsanlock.testkit;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.io.IoWorkers;
import io.jsanlock.io.SectorStorage;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@link SectorStorage} in memory, for tests of everything above the I/O
 * layer (moved out of the io module's main code: nothing in production uses it).
 * It follows the same contract as the file backend (alignment checks,
 * worker threads, timeouts, buffer ownership) and lets a test inject faults:
 * a {@link FaultHook} runs on the worker before each I/O and may block (a
 * hung device, which the caller sees as AIO_TIMEOUT) or throw (an I/O error).
 * Each I/O is atomic with respect to the others.
 */
public final class MemorySectorStorage implements SectorStorage {
    /** Called on the I/O worker before each transfer. */
    @FunctionalInterface
    public interface FaultHook {
        /**
         * @param write true for a write
         * @throws SanlockException to fail this I/O with that code
         */
        void beforeIo(boolean write, long offset, int length) throws SanlockException, InterruptedException;
    }

    private final String name;
    private final int sectorSize;
    private final boolean growable;
    private byte[] data;
    private volatile FaultHook hook;
    private volatile boolean closed;

    /**
     * @param name shown in messages
     * @param sectorSize I/O granule, 512 or 4096
     * @param size initial size in bytes (zero-filled)
     * @param growable whether writes past the end grow it (like a regular file) or fail with ENOSPC (like a device)
     */
    public MemorySectorStorage(String name, int sectorSize, long size, boolean growable) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("memory storage of " + size + " bytes is too large");
        }
        this.name = name;
        this.sectorSize = sectorSize;
        this.growable = growable;
        this.data = new byte[(int) size];
    }

    /** A fixed-size 512-byte-sector storage. */
    public MemorySectorStorage(long size) {
        this("memory", 512, size, false);
    }

    /** Installs (or with null removes) the fault hook. */
    public void setFaultHook(FaultHook hook) {
        this.hook = hook;
    }

    /** A copy of the whole content, for assertions. */
    public synchronized byte[] snapshot() {
        return data.clone();
    }

    @Override
    public String path() {
        return name;
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    @Override
    public synchronized long size() {
        return data.length;
    }

    @Override
    public int read(long offset, ByteBuffer dst, long timeoutMillis) throws SanlockException {
        int len = dst.remaining();
        check(offset, len);
        byte[] got = IoWorkers.run(() -> {
            FaultHook h = hook;
            if (h != null) {
                h.beforeIo(false, offset, len);
            }
            synchronized (this) {
                if (offset >= data.length) {
                    return new byte[0];
                }
                return Arrays.copyOfRange(data, (int) offset, (int) Math.min(data.length, offset + len));
            }
        }, timeoutMillis, "read of " + len + " bytes at offset " + offset + " on " + name);
        dst.put(got);
        return got.length;
    }

    @Override
    public void write(long offset, ByteBuffer src, long timeoutMillis) throws SanlockException {
        int len = src.remaining();
        check(offset, len);
        byte[] copy = new byte[len];
        src.duplicate().get(copy);
        IoWorkers.run(() -> {
            FaultHook h = hook;
            if (h != null) {
                h.beforeIo(true, offset, len);
            }
            synchronized (this) {
                long end = offset + len;
                if (end > data.length) {
                    if (!growable) {
                        throw new SanlockException(SanlockError.ENOSPC, "write of " + len + " bytes at offset " + offset
                                + " passes the end of " + name + " (" + data.length + " bytes)");
                    }
                    data = Arrays.copyOf(data, (int) end);
                }
                System.arraycopy(copy, 0, data, (int) offset, len);
            }
            return null;
        }, timeoutMillis, "write of " + len + " bytes at offset " + offset + " on " + name);
        src.position(src.position() + len);
    }

    private void check(long offset, int len) throws SanlockException {
        if (closed) {
            throw new SanlockException(SanlockError.EBADF, name + " is closed");
        }
        if (offset < 0 || offset % sectorSize != 0 || len % sectorSize != 0) {
            throw new SanlockException(SanlockError.EINVAL, "I/O of " + len + " bytes at offset " + offset + " on " + name
                    + " is not aligned to its " + sectorSize + "-byte sectors");
        }
        if (offset + len > Integer.MAX_VALUE - 8) {
            throw new SanlockException(SanlockError.EINVAL, "I/O at offset " + offset + " is beyond memory storage");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
