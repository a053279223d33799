package io.jsanlock.vm.lock;

import io.jsanlock.base.SanlockException;

import java.util.List;

/**
 * The lock operations the sanlock lock driver needs from the host's lease daemon, and nothing
 * else. Every failure carries the daemon's raw result (a sanlock code or a negated errno, also
 * for connection failures) because libvirt's messages are built from it.
 */
public interface LeaseDaemon {
    /** The alignment size of the lease area on {@code path} (1 MiB for 512-byte sectors). */
    long align(String path) throws SanlockException;

    /** Initialises a lockspace area (libvirt: sanlock_write_lockspace(ls, 0, 0, io_timeout)). */
    void writeLockspace(String name, String path, long offset, int ioTimeout) throws SanlockException;

    /** Initialises a resource lease area (libvirt: sanlock_init(NULL, res, 0, 0)). */
    void writeResource(String lockspace, String name, String path, long offset) throws SanlockException;

    /** Joins a lockspace; returns when the join has finished (or failed). */
    void addLockspace(String name, long hostId, String path, long offset, int ioTimeout) throws SanlockException;

    /** Waits while a join or leave is in progress; returns 0 joined, -2 unknown, or an error code. */
    int inqLockspaceWait(String name, long hostId, String path, long offset);

    /** Acquires all {@code leases} in one request on behalf of the registered process {@code pid}. */
    void acquire(long pid, List<LeaseSpec> leases, String ownerName) throws SanlockException;

    /** Releases {@code leases} held by the registered process {@code pid}. */
    void release(long pid, List<LeaseSpec> leases) throws SanlockException;

    /** The lock state string of {@code pid}'s leases, or "" when it holds none. */
    String inquire(long pid) throws SanlockException;
}
