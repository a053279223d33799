package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.direct.DirectStorage;
import io.jsanlock.direct.LeaseAreas;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.ModeBlock;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The storage commands the daemon serves without a lockspace (wire.md 4.10): ALIGN,
 * WRITE_LOCKSPACE, WRITE_RESOURCE, READ_LOCKSPACE, READ_RESOURCE and
 * READ_RESOURCE_OWNERS, on the format and io modules (direct I/O, as the reference).
 */
final class DaemonStorage {
    /** Per-I/O timeout for these one-off commands (the reference's write_init_io_timeout is 60 s). */
    static final long TIMEOUT_MILLIS = 60_000;

    private DaemonStorage() {}

    private static DirectFileStorage open(String path, boolean write, SanlockError missing) throws SanlockException {
        if (path.isEmpty()) {
            throw new SanlockException(SanlockError.ENODEV, "empty path");
        }
        // The wire's path bytes, as they came: open(2) gets exactly them.
        return DirectStorage.open(path, access(write), missing);
    }

    private static DirectFileStorage.Access access(boolean write) {
        return write ? DirectFileStorage.Access.READ_WRITE : DirectFileStorage.Access.READ_ONLY;
    }

    /**
     * A lockspace's disk for WRITE_LOCKSPACE and READ_LOCKSPACE: -ENODEV for every failure to
     * open it (a directory included, which DirectFileStorage refuses with -21), where the
     * resource commands pass the open's errno on.
     */
    private static DirectFileStorage openLockspaceDisk(String path, boolean write) throws SanlockException {
        return DirectStorage.openLockspace(path, access(write));
    }

    /**
     * The geometry a write (WRITE_LOCKSPACE, WRITE_RESOURCE, FORMAT_RINDEX) asks for: from its
     * ALIGN/SECTOR flags (the lowest bit of each wins), or, with neither, the device's sector
     * size with the legacy align. sanlock 3.8.5 answers -EPERM and writes nothing when only
     * one of the two is given or the pair is not one of 512/1M, 4096/{1,2,4,8}M (observed,
     * e.g. {@code client init -Z 4096 -A 3M}: the CLI sends SECTOR4K without an ALIGN flag).
     */
    static Geometry requestedGeometry(int flags, DirectFileStorage s) throws SanlockException {
        int sector = ResourceFlags.sectorSize(flags);
        long align = ResourceFlags.alignSize(flags);
        if (sector == 0 && align == 0) {
            return Geometry.legacy(s.sectorSize());
        }
        if (sector == 0 || align == 0 || !Geometry.valid(sector, align)) {
            throw new SanlockException(SanlockError.EPERM, "sector size " + sector + " with align size " + align
                    + " is not one of 512/1M, 4096/1M, 4096/2M, 4096/4M, 4096/8M (flags 0x" + Integer.toHexString(flags) + ")");
        }
        return Geometry.of(sector, align);
    }

    private static int geometryFlags(Geometry g) {
        return ResourceFlags.alignFlag(g.alignSize()) | ResourceFlags.sectorFlag(g.sectorSize());
    }

    static long align(Disk disk) throws SanlockException {
        try (DirectFileStorage s = open(disk.path(), false, SanlockError.ENODEV)) {
            return switch (s.sectorSize()) {
                case 512 -> Geometry.MIB;
                case 4096 -> 8L * Geometry.MIB;
                default -> throw new SanlockException(SanlockError.EINVAL, "unknown sector size " + s.sectorSize());
            };
        } catch (SanlockException e) {
            if (e.code() == SanlockError.EINVAL.code()) {
                throw e;
            }
            throw new SanlockException(SanlockError.ENODEV, "cannot open " + disk.path() + ": " + e.getMessage());
        }
    }

    static void writeLockspace(Lockspace ls, int ioTimeout) throws SanlockException {
        try (DirectFileStorage s = openLockspaceDisk(ls.disk().path(), true)) {
            Geometry g = requestedGeometry(ls.flags(), s);
            checkNotPastEnd(s, ls.disk().offset());
            LeaseAreas.checkSectorPlacement(s, s.isBlockDevice(), g, ls.disk().offset());
            LeaseAreas.initLockspace(s, ls.disk().offset(), g, ls.name(), ioTimeout == 0 ? Leader.DEFAULT_IO_TIMEOUT : ioTimeout,
                    TIMEOUT_MILLIS);
        }
    }

    static void writeResource(Resource r, int numHosts, boolean clear) throws SanlockException {
        Disk d = r.disks().get(0);
        try (DirectFileStorage s = open(d.path(), true, SanlockError.ENOENT)) {
            Geometry g = requestedGeometry(r.flags(), s);
            checkNotPastEnd(s, d.offset());
            LeaseAreas.checkSectorPlacement(s, s.isBlockDevice(), g, d.offset());
            long n = numHosts <= 0 || numHosts > g.maxHosts() ? g.maxHosts() : numHosts;
            Leader leader = Leader.newPaxosLeader(g, r.lockspace(), r.name(), n);
            if (clear) {
                leader = leader.withMagic(DiskFormat.PAXOS_DISK_CLEAR).withWrite(0, 0, MonotonicClock.SYSTEM.seconds());
            }
            LeaseAreas.initResource(s, d.offset(), g, leader, TIMEOUT_MILLIS);
        }
    }

    /**
     * A write starting at or past the end of a block device: the reference's write fails
     * there with the kernel's -ENOSPC (-28) and nothing is written; jsanlock refuses it
     * before writing with the same code. (An area that starts inside the device and runs
     * past its end is refused by {@link LeaseAreas#checkSectorPlacement} with -90, before
     * anything is written, where the reference writes the part that fits.)
     */
    private static void checkNotPastEnd(DirectFileStorage s, long offset) throws SanlockException {
        if (s.isBlockDevice() && offset >= s.size()) {
            throw new SanlockException(SanlockError.ENOSPC, s.path() + " has " + s.size() + " bytes: offset " + offset
                    + " is at or past its end");
        }
    }

    private static ByteBuffer read(DirectFileStorage s, long offset, int len) throws SanlockException {
        ByteBuffer b = ByteBuffer.allocateDirect(len).order(ByteOrder.LITTLE_ENDIAN);
        int got = s.read(offset, b, TIMEOUT_MILLIS);
        if (got < len) {
            // past the end of the file or device: sanlock 3.8.5 answers -EMSGSIZE
            throw new SanlockException(SanlockError.EMSGSIZE, "short read on " + s.path() + ": " + got + " of " + len
                    + " bytes at offset " + offset);
        }
        b.flip();
        return b;
    }

    private static Leader leaderAt(DirectFileStorage s, long offset, int sectorSize, int magic) throws SanlockException {
        Leader l = Leader.decode(read(s, offset, sectorSize), 0);
        if (l.magic() != magic) {
            throw new SanlockException(SanlockError.LEADER_MAGIC, String.format("bad leader magic 0x%x at %s:%d", l.magic(),
                    s.path(), offset));
        }
        return l;
    }

    static StorageBackend.LockspaceRead readLockspace(Lockspace ls) throws SanlockException {
        try (DirectFileStorage s = openLockspaceDisk(ls.disk().path(), false)) {
            int sector = ResourceFlags.sectorSize(ls.flags()) != 0 ? ResourceFlags.sectorSize(ls.flags()) : s.sectorSize();
            long hostId = ls.hostId() == 0 ? 1 : ls.hostId();
            Leader first = leaderAt(s, ls.disk().offset(), sector, DiskFormat.DELTA_DISK_MAGIC);
            Geometry g = Geometry.fromLeader(first);
            Leader mine = hostId == 1 ? first
                    : leaderAt(s, ls.disk().offset() + (hostId - 1) * g.sectorSize(), g.sectorSize(), DiskFormat.DELTA_DISK_MAGIC);
            if (!ls.name().isEmpty() && !ls.name().equals(mine.spaceName())) {
                throw new SanlockException(SanlockError.LEADER_LOCKSPACE, "lockspace name " + mine.spaceName() + " is not " + ls.name());
            }
            return new StorageBackend.LockspaceRead(new Lockspace(mine.spaceName(), hostId, geometryFlags(g), ls.disk()), mine.ioTimeout());
        }
    }

    private static Leader paxosLeader(Resource r, DirectFileStorage s) throws SanlockException {
        Disk d = r.disks().get(0);
        int sector = ResourceFlags.sectorSize(r.flags()) != 0 ? ResourceFlags.sectorSize(r.flags()) : s.sectorSize();
        Leader l = leaderAt(s, d.offset(), sector, DiskFormat.PAXOS_DISK_MAGIC);
        if (!r.lockspace().isEmpty() && !r.lockspace().equals(l.spaceName())) {
            throw new SanlockException(SanlockError.LEADER_LOCKSPACE, "lockspace name " + l.spaceName() + " is not " + r.lockspace());
        }
        if (!r.name().isEmpty() && !r.name().equals(l.resourceName())) {
            throw new SanlockException(SanlockError.LEADER_RESOURCE, "resource name " + l.resourceName() + " is not " + r.name());
        }
        return l;
    }

    static Resource readResource(Resource r) throws SanlockException {
        try (DirectFileStorage s = open(r.disks().get(0).path(), false, SanlockError.ENOENT)) {
            Leader l = paxosLeader(r, s);
            Geometry g = Geometry.fromLeader(l);
            return new Resource(l.spaceName(), l.resourceName(), l.lver(), 0, 0, geometryFlags(g), r.numDisks(), List.of());
        }
    }

    static StorageBackend.Owners readResourceOwners(Resource r) throws SanlockException {
        if (r.lockspace().isEmpty()) {
            // quirk of the reference (wire.md 4.10): READ_RESOURCE_OWNERS needs the lockspace name
            throw new SanlockException(SanlockError.LEADER_LOCKSPACE, "read_resource_owners needs a lockspace name");
        }
        Disk d = r.disks().get(0);
        try (DirectFileStorage s = open(d.path(), false, SanlockError.ENOENT)) {
            // sanlock 3.8.5 (observed): reads the whole area of the geometry the request names
            // (its ALIGN/SECTOR flags; a missing one: the device's sector size and the legacy
            // area size for it), -EMSGSIZE when the file ends before the area does; then
            // -EINVAL when the leader's sector_size or align (its flag, else the legacy one)
            // is not the request's, before looking at its magic; then the paxos leader checks
            // with exact names (an empty name is a wrong name here), checksum last.
            // (READ_RESOURCE and READ_LOCKSPACE do not check the geometry: observed)
            int sector = ResourceFlags.sectorSize(r.flags()) != 0 ? ResourceFlags.sectorSize(r.flags()) : s.sectorSize();
            long align = ResourceFlags.alignSize(r.flags()) != 0 ? ResourceFlags.alignSize(r.flags())
                    : Geometry.legacy(sector).alignSize();
            Geometry g = Geometry.of(sector, align);
            ByteBuffer area = read(s, d.offset(), g.alignSize());
            Leader raw = Leader.decode(area, 0);
            long leaderAlign = Geometry.alignFromLeaderFlags(raw.flags()) != 0 ? Geometry.alignFromLeaderFlags(raw.flags())
                    : raw.sectorSize() == 4096 ? 8L * Geometry.MIB : Geometry.MIB;
            if (raw.sectorSize() != sector || leaderAlign != align) {
                throw new SanlockException(SanlockError.EINVAL, "the lease at " + s.path() + ":" + d.offset()
                        + " has " + raw.sectorSize() + "-byte sectors and " + leaderAlign + "-byte areas, not " + sector + "/" + align);
            }
            Leader l = Leader.decodePaxosChecked(area, 0, r.lockspace(), r.name(), 0);
            List<Host> owners = new ArrayList<>();
            if (l.timestamp() != 0 && l.ownerId() != 0) {
                owners.add(new Host(l.ownerId(), l.ownerGeneration(), l.timestamp(), 0, 0));
            }
            long n = Math.min(l.numHosts() == 0 ? l.maxHosts() : l.numHosts(), g.maxHosts());
            boolean shared = false;
            for (int i = 0; i < n; i++) {
                ModeBlock mb = ModeBlock.decode(area, (2 + i) * g.sectorSize());
                if (mb.shared()) {
                    shared = true;
                    long id = i + 1;
                    if (owners.stream().noneMatch(h -> h.hostId() == id)) {
                        owners.add(new Host(id, mb.generation(), 0, 0, 0));
                    }
                }
            }
            Resource head = new Resource(l.spaceName(), l.resourceName(), l.lver(), 0, 0, shared ? ResourceFlags.SHARED : 0,
                    r.numDisks(), List.of());
            return new StorageBackend.Owners(head, owners);
        }
    }

    /** Sector of the LVB in a resource area (ondisk.md 1.2, 4.2.6). */
    static final int LVB_SECTOR = 2002;

    /**
     * The LVB sector of the resource at {@code disk}. Only where it lies inside the lease
     * area (512/1M, 4K/8M): for the other sizes the reference writes beyond the area
     * (ondisk.md 4.2.6), which we refuse (-22) rather than damage the next area.
     */
    private static long lvbOffset(DirectFileStorage s, Disk disk) throws SanlockException {
        Leader l = leaderAt(s, disk.offset(), s.sectorSize(), DiskFormat.PAXOS_DISK_MAGIC);
        Geometry g = Geometry.fromLeader(l);
        if ((long) (LVB_SECTOR + 1) * g.sectorSize() > g.alignSize()) {
            throw new SanlockException(SanlockError.EINVAL, "no room for an LVB in a " + g.sectorSize() + "/" + g.alignSize() + " area");
        }
        return disk.offset() + (long) LVB_SECTOR * g.sectorSize();
    }

    static byte[] readLvb(Disk disk) throws SanlockException {
        try (DirectFileStorage s = open(disk.path(), false, SanlockError.ENOENT)) {
            long off = lvbOffset(s, disk);
            ByteBuffer b = read(s, off, s.sectorSize());
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    static void writeLvb(Disk disk, byte[] data) throws SanlockException {
        try (DirectFileStorage s = open(disk.path(), true, SanlockError.ENOENT)) {
            long off = lvbOffset(s, disk);
            ByteBuffer b = ByteBuffer.allocateDirect(s.sectorSize());
            b.put(data, 0, Math.min(data.length, s.sectorSize()));
            b.clear();
            s.write(off, b, TIMEOUT_MILLIS);
        }
    }
}
