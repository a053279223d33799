package io.jsanlock.engine;

import io.jsanlock.base.SanlockException;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.lease.LeaseStorage;

/**
 * How the engine reaches lease storage named by a path. The default opens files
 * and block devices with O_DIRECT|O_SYNC (io module); tests map paths to shared
 * in-memory or fault-injecting stores so several engines (hosts) share one "disk".
 */
@FunctionalInterface
public interface StorageOpener {
    LeaseStorage open(String path) throws SanlockException;

    /**
     * Files and block devices through the io module's direct I/O. {@code path} is a byte
     * string (io.jsanlock.base.ByteStrings), as the wire and argv carry it.
     */
    StorageOpener DIRECT = path -> LeaseStorage.of(DirectFileStorage.open(path, DirectFileStorage.Access.READ_WRITE));
}
