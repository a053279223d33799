package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.direct.DirectStorage;
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
        return DirectStorage.open(path, DirectFileStorage.Access.READ_WRITE, missing);
    }

    static DirectFileStorage openForRead(String path, SanlockError missing) throws SanlockException {
        return DirectStorage.open(path, DirectFileStorage.Access.READ_ONLY, missing);
    }

    /** Opens a lockspace's path: every failure to open it is ENODEV (-19), as sanlock reports. */
    static DirectFileStorage openLockspace(String path, DirectFileStorage.Access access) throws SanlockException {
        return DirectStorage.openLockspace(path, access);
    }

    /** Per-I/O timeout of a direct command: its io_timeout (-o, default 10 s). */
    static long timeoutMillis(SanlockOptions o) {
        return o.ioTimeoutSeconds() * 1000L;
    }
}
