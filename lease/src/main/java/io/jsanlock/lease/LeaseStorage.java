package io.jsanlock.lease;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.io.SectorStorage;
import java.nio.ByteBuffer;

/**
 * The storage the lease algorithms run on: whole-sector reads and writes at byte
 * offsets, each with its own timeout (sanlock submits every lease I/O with the
 * lockspace's io_timeout, the renewal write with 8N+W). The algorithms never
 * depend on a particular backend; {@code io}'s files and block devices, the
 * in-memory store and the fault-injecting wrapper of the tests all fit here.
 *
 * <p>Contract: a call returns only once the whole buffer was transferred; a
 * transfer that did not finish within {@code timeoutNanos} throws
 * {@code SanlockException(AIO_TIMEOUT)} (the I/O may still land later, which the
 * protocol tolerates); a short transfer throws {@code EMSGSIZE}; other failures
 * throw {@code EIO} or the errno they carry.
 */
public interface LeaseStorage extends AutoCloseable {
    /** Reads {@code dst.remaining()} bytes at {@code offset} into dst (position advanced to limit). */
    void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException;

    /** Writes {@code src.remaining()} bytes at {@code offset}. */
    void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException;

    /** Releases the underlying storage (no-op by default). */
    @Override
    default void close() {
    }

    /**
     * The io module's storage (files, block devices, memory) as lease storage.
     * A short read becomes EMSGSIZE (-90), as the reference reports a truncated
     * lease file ("renewal error -90", algorithms.md 7: M10).
     */
    static LeaseStorage of(SectorStorage s) {
        return new LeaseStorage() {
            @Override
            public void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException {
                int want = dst.remaining();
                int got = s.read(offset, dst, millis(timeoutNanos));
                if (got < want) {
                    throw new SanlockException(SanlockError.EMSGSIZE, "short read on " + s.path() + ": " + got
                            + " of " + want + " bytes at offset " + offset);
                }
            }

            @Override
            public void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException {
                s.write(offset, src, millis(timeoutNanos));
            }

            @Override
            public void close() {
                s.close();
            }

            @Override
            public String toString() {
                return s.path();
            }
        };
    }

    private static long millis(long nanos) {
        return nanos <= 0 ? SectorStorage.NO_TIMEOUT : Math.max(1, nanos / 1_000_000L);
    }
}
