package io.jsanlock.vm.lock;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.LockspaceState;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;

import java.nio.file.Path;
import java.util.List;

/**
 * {@link LeaseDaemon} through jsanlock's client library: the same requests libvirt's driver
 * sends through libsanlock (wire.md §10.3), so it works with the reference sanlock daemon
 * and with the jsanlock daemon alike. Paths and names here are text (from domain XML and
 * the driver's configuration); libvirt hands them to sanlock as their UTF-8 bytes, and so
 * does this class ({@link ByteStrings#utf8}): the wire carries byte strings.
 */
public final class ClientLeaseDaemon implements LeaseDaemon {
    private final SanlockClient client;

    public ClientLeaseDaemon(SanlockClient client) {
        this.client = client;
    }

    /** The daemon selected by SANLOCK_RUN_DIR. */
    public static ClientLeaseDaemon fromEnvironment() {
        return new ClientLeaseDaemon(new SanlockClient());
    }

    public Path runDir() {
        return client.runDir();
    }

    @Override
    public long align(String path) throws SanlockException {
        return client.getAlignment(new Disk(bytes(path), 0));
    }

    @Override
    public void writeLockspace(String name, String path, long offset, int ioTimeout) throws SanlockException {
        client.writeLockspace(Lockspace.of(bytes(name), 0, bytes(path), offset), 0, ioTimeout);
    }

    @Override
    public void writeResource(String lockspace, String name, String path, long offset) throws SanlockException {
        client.writeResource(Resource.of(bytes(lockspace), bytes(name), bytes(path), offset), 0, 0, false);
    }

    @Override
    public void addLockspace(String name, long hostId, String path, long offset, int ioTimeout)
            throws SanlockException {
        client.addLockspace(Lockspace.of(bytes(name), hostId, bytes(path), offset), ioTimeout, false);
    }

    @Override
    public int inqLockspaceWait(String name, long hostId, String path, long offset) {
        try {
            LockspaceState s = client.inqLockspace(Lockspace.of(bytes(name), hostId, bytes(path), offset), true);
            return switch (s) {
                case JOINED -> 0;
                case IN_PROGRESS -> -115;
                case ABSENT -> -2;
            };
        } catch (SanlockException e) {
            return e.code();
        }
    }

    @Override
    public void acquire(long pid, List<LeaseSpec> leases, String ownerName) throws SanlockException {
        // libvirt passes the VM name, cut to 47 characters, as the owner name (§4.1).
        // (C bytes: the UTF-8 name is cut at 47 bytes.)
        String name = bytes(ownerName);
        String owner = name.length() > 47 ? name.substring(0, 47) : name;
        client.acquire((int) pid, 0, leases.stream().map(ClientLeaseDaemon::resource).toList(), Options.owner(owner));
    }

    @Override
    public void release(long pid, List<LeaseSpec> leases) throws SanlockException {
        client.release((int) pid, leases.stream().map(ClientLeaseDaemon::resource).toList());
    }

    @Override
    public String inquire(long pid) throws SanlockException {
        return client.inquire((int) pid).state();
    }

    private static String bytes(String text) {
        return ByteStrings.utf8(text);
    }

    static Resource resource(LeaseSpec l) {
        Resource r = Resource.of(bytes(l.lockspace()), bytes(l.name()), bytes(l.path()), l.offset());
        return l.shared() ? r.withFlags(r.flags() | ResourceFlags.SHARED) : r;
    }
}
