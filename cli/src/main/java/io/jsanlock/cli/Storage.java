package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.io.DirectFileStorage;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

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
            throw e.code() == SanlockError.ENODEV.code() ? e
                    : new SanlockException(SanlockError.ENODEV, "lockspace storage " + e.getMessage());
        }
    }

    private static DirectFileStorage open(String path, DirectFileStorage.Access access, SanlockError missing)
            throws SanlockException {
        Path p;
        try {
            p = Path.of(path);
        } catch (InvalidPathException e) {
            throw new SanlockException(SanlockError.EINVAL, "invalid path '" + path + "'");
        }
        if (Files.isDirectory(p)) {
            // sanlock opens lease storage read-write, which a directory refuses with EISDIR.
            throw new SanlockException(EISDIR, path + " is a directory, not a lease file or block device", null);
        }
        try {
            return DirectFileStorage.open(p, access);
        } catch (SanlockException e) {
            if (e.code() == SanlockError.ENOENT.code()) {
                throw new SanlockException(missing, path + " does not exist");
            }
            throw e;
        }
    }

    /** -EISDIR. */
    static final int EISDIR = -21;

    /** Per-I/O timeout of a direct command: its io_timeout (-o, default 10 s). */
    static long timeoutMillis(SanlockOptions o) {
        return o.ioTimeoutSeconds() * 1000L;
    }
}
