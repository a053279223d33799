package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;

import java.util.List;

/**
 * The storage role of the {@link LeaseBackend} (sanlock's direct.c as the daemon serves it):
 * lease areas written and read for a client, and the lock value blocks of held leases.
 */
public interface StorageBackend {
    long align(Disk disk) throws SanlockException;

    void writeLockspace(Lockspace ls, int ioTimeout) throws SanlockException;

    void writeResource(Resource r, int numHosts, boolean clear) throws SanlockException;

    /** READ_LOCKSPACE: the lockspace as stored plus its io_timeout. */
    record LockspaceRead(Lockspace lockspace, int ioTimeout) {}

    LockspaceRead readLockspace(Lockspace ls) throws SanlockException;

    Resource readResource(Resource r) throws SanlockException;

    record Owners(Resource resource, List<Host> owners) {}

    Owners readResourceOwners(Resource r) throws SanlockException;

    void setLvb(Resource r, byte[] data) throws SanlockException;

    byte[] getLvb(Resource r, int size) throws SanlockException;
}
