package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.io.DirectFileStorage;

/** Opening lease storage for the direct commands. */
final class Storage {
    private Storage() {
    }

    /**
     * Opens {@code path} read-write.
     *
     * @param missing the code sanlock reports when the path does not exist
     */
    static DirectFileStorage openForWrite(String path, SanlockError missing) throws SanlockException {
        return open(path, DirectFileStorage.Access.READ_WRITE, missing);
    }

    static DirectFileStorage openForRead(String path, SanlockError missing) throws SanlockException {
        return open(path, DirectFileStorage.Access.READ_ONLY, missing);
    }

    /**
     * Opens a lockspace's path. sanlock reports every failure to open it as ENODEV
     * (-19): a missing path, a directory, no permission.
     */
    static DirectFileStorage openLockspace(String path, DirectFileStorage.Access access) throws SanlockException {
        try {
            return open(path, access, SanlockError.ENODEV);
        } catch (SanlockException e) {
            throw e.error() == SanlockError.ENODEV ? e
                    : new SanlockException(SanlockError.ENODEV, "lockspace storage " + e.getMessage());
        }
    }

    private static DirectFileStorage open(String path, DirectFileStorage.Access access, SanlockError missing)
            throws SanlockException {
        // The path is a byte string from argv: open(2) gets its bytes, never a locale re-encoding.
        try {
            return DirectFileStorage.open(path, access);
        } catch (SanlockException e) {
            if (e.error() == SanlockError.ENOENT) {
                throw new SanlockException(missing, path + " does not exist");
            }
            throw e;
        }
    }

    /** Per-I/O timeout of a direct command: its io_timeout (-o, default 10 s). */
    static long timeoutMillis(SanlockOptions o) {
        return o.ioTimeoutSeconds() * 1000L;
    }
}
