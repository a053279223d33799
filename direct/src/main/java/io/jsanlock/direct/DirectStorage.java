package io.jsanlock.direct;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.io.DirectFileStorage;

/**
 * Opening lease storage for a command that works on it directly (the CLI's direct commands,
 * the daemon's storage and index commands): the answer for a missing path is the command's
 * own code, as sanlock's differs between commands.
 */
public final class DirectStorage {
    private DirectStorage() {
    }

    /**
     * Opens the byte-string path {@code path} (as it came from argv or the wire: open(2) gets
     * exactly its bytes, never a locale re-encoding).
     *
     * @param missing the code sanlock reports when the path does not exist
     * @throws SanlockException {@code missing} for a missing path, otherwise what
     *         {@link DirectFileStorage#open(String, DirectFileStorage.Access)} reports
     */
    public static DirectFileStorage open(String path, DirectFileStorage.Access access, SanlockError missing)
            throws SanlockException {
        try {
            return DirectFileStorage.open(path, access);
        } catch (SanlockException e) {
            if (e.code() == SanlockError.ENOENT.code()) {
                throw new SanlockException(missing, path + " does not exist");
            }
            throw e;
        }
    }

    /**
     * Opens a lockspace's disk. sanlock 3.8.5 reports every failure to open it as ENODEV
     * (-19), from the CLI and the daemon alike (observed: a missing path, a directory, no
     * permission; reading or writing), where the resource commands pass the open's errno on.
     */
    public static DirectFileStorage openLockspace(String path, DirectFileStorage.Access access) throws SanlockException {
        try {
            return open(path, access, SanlockError.ENODEV);
        } catch (SanlockException e) {
            throw e.code() == SanlockError.ENODEV.code() ? e
                    : new SanlockException(SanlockError.ENODEV, "lockspace storage " + e.getMessage(), e);
        }
    }
}
