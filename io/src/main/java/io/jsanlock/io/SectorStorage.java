package io.jsanlock.io;

import io.jsanlock.base.SanlockException;
import java.nio.ByteBuffer;

/**
 * Lease storage as sanlock uses it: whole-sector reads and writes at byte
 * offsets of a file or block device, each bounded by a timeout.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li><b>Granule.</b> {@code offset} and the transfer length must be
 *     multiples of {@link #sectorSize()} (the device's logical sector size:
 *     512 for regular files and most disks, 4096 for 4K-native disks). This is
 *     an O_DIRECT rule, not a lease rule: a 4096-byte lease sector on a
 *     512-byte device is eight granules. Misaligned requests fail with EINVAL
 *     before any I/O.</li>
 * <li><b>Buffers.</b> Callers pass any ByteBuffer (heap or direct, any
 *     alignment, any byte order). Implementations copy through their own
 *     aligned memory, so a read fills {@code dst} only when it completed in
 *     time and a write has taken its copy of {@code src} before this method
 *     returns or throws: a caller may reuse its buffer right away, even after
 *     a timeout.</li>
 * <li><b>Timeouts.</b> Every read and write runs on an I/O worker thread; the
 *     caller waits at most {@code timeoutMillis} ({@code <= 0}: no limit) and
 *     then gets {@code SanlockException(AIO_TIMEOUT)}. The abandoned I/O may
 *     still complete later (a write may still reach the disk); its buffer is
 *     released only when the system call returns. This is the per-I/O
 *     timeout of sanlock's io_timeout: a hung device cannot hang the caller.</li>
 * <li><b>Errors.</b> System-call failures surface as SanlockException with
 *     the negated errno (e.g. -5 EIO); a missing path as ENOENT.</li>
 * <li><b>Atomicity.</b> Each call is one pread/pwrite (looped only on short
 *     transfers), so a single-sector write is never torn by another jsanlock
 *     I/O on the same storage. Whole-area writes are not atomic.</li>
 * <li><b>Threads.</b> Implementations are thread-safe.</li>
 * </ul>
 */
public interface SectorStorage extends AutoCloseable {
    /** Means "wait as long as the I/O takes". */
    long NO_TIMEOUT = 0;

    /** The path this storage was opened from (for messages). */
    String path();

    /** The I/O granule in bytes (logical sector size of the device; 512 for files). */
    int sectorSize();

    /** Current size in bytes (a regular file's length, a block device's capacity). */
    long size() throws SanlockException;

    /**
     * Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst},
     * advancing its position by the number of bytes read.
     *
     * @return the bytes read: fewer than requested only when the storage ends
     *         first (a short read; the rest of {@code dst} is untouched)
     * @throws SanlockException AIO_TIMEOUT after {@code timeoutMillis}, EINVAL
     *         for misaligned requests, the negated errno of a failed pread
     */
    int read(long offset, ByteBuffer dst, long timeoutMillis) throws SanlockException;

    /**
     * Writes all of {@code src.remaining()} bytes at {@code offset}, advancing
     * {@code src}'s position. A regular file grows when written past its end
     * (as sanlock's writes do); a block device refuses it.
     *
     * @throws SanlockException AIO_TIMEOUT after {@code timeoutMillis} (the
     *         write may still happen), EINVAL for misaligned requests, the
     *         negated errno of a failed pwrite
     */
    void write(long offset, ByteBuffer src, long timeoutMillis) throws SanlockException;

    /**
     * Reads exactly {@code dst.remaining()} bytes.
     *
     * @throws SanlockException EIO when the storage ends before that
     */
    default void readFully(long offset, ByteBuffer dst, long timeoutMillis) throws SanlockException {
        int want = dst.remaining();
        int got = read(offset, dst, timeoutMillis);
        if (got < want) {
            throw new SanlockException(io.jsanlock.base.SanlockError.EIO, "short read on " + path() + ": " + got
                    + " of " + want + " bytes at offset " + offset);
        }
    }

    /**
     * Releases the storage. I/Os still running (abandoned after a timeout)
     * finish first; the descriptor is closed when the last one returns.
     */
    @Override
    void close();
}
