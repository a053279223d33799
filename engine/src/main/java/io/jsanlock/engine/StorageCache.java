package io.jsanlock.engine;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.lease.LeaseStorage;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The engine's open storage, one per path, shared by the lockspaces and leases on it and
 * closed with the engine. Every I/O of the engine passes through the halt gate here: once
 * the engine is halted none is issued any more (an acquire or renewal in flight fails at
 * its next I/O), so a halted engine behaves like a host that died, not like one that froze
 * and resumed.
 */
final class StorageCache {
    private final StorageOpener opener;
    private final BooleanSupplier halted;
    private final ConcurrentHashMap<String, LeaseStorage> open = new ConcurrentHashMap<>();

    StorageCache(StorageOpener opener, BooleanSupplier halted) {
        this.opener = opener;
        this.halted = halted;
    }

    /** The storage at {@code path}, opened on first use (a race opens it twice and closes the loser). */
    LeaseStorage open(String path) throws SanlockException {
        LeaseStorage s = open.get(path);
        if (s != null) {
            return s;
        }
        LeaseStorage opened = haltGate(opener.open(path));
        LeaseStorage prev = open.putIfAbsent(path, opened);
        if (prev != null) {
            opened.close();
            return prev;
        }
        return opened;
    }

    void closeAll() {
        for (LeaseStorage s : open.values()) {
            s.close();
        }
        open.clear();
    }

    private LeaseStorage haltGate(LeaseStorage s) {
        return new LeaseStorage() {
            @Override
            public void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException {
                if (halted.getAsBoolean()) {
                    throw new SanlockException(SanlockError.ERROR, "engine halted");
                }
                s.read(offset, dst, timeoutNanos);
            }

            @Override
            public void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException {
                if (halted.getAsBoolean()) {
                    throw new SanlockException(SanlockError.ERROR, "engine halted");
                }
                s.write(offset, src, timeoutNanos);
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
