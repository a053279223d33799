package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.io.DirectFileStorage;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code direct read_leader -s LOCKSPACE | -r RESOURCE [-Z -A]}: reads one
 * leader, checks it as sanlock does (magic, version, names, checksum) and
 * prints {@code read_leader done <rv>} followed by every field, also when the
 * check failed (wire.md 7.6). When nothing could be read the fields print as
 * zeros.
 *
 * <p>Sector size: from -Z, else from the leader at the start of the area (so a
 * host's delta lease is found at the right offset in 512 and 4K lockspaces
 * alike), else the device's.
 */
final class DirectReadLeader {
    private static final int PROBE = 4096;

    private DirectReadLeader() {
    }

    static int run(SanlockOptions o, PrintStream out, PrintStream err) {
        boolean lockspace = o.lockspace != null;
        Leader leader = null;
        int rv;
        try {
            if (lockspace) {
                leader = readDelta(o, o.lockspace);
            } else if (!o.resources.isEmpty()) {
                leader = readPaxos(o, o.resources.get(0));
            } else {
                throw new SanlockException(SanlockError.EPERM, o.resourceErrors > 0
                        ? "nothing to read: the -r argument did not parse" : "read_leader needs -s LOCKSPACE or -r RESOURCE");
            }
            rv = 0;
        } catch (ReadFailure f) {
            err.println("jsanlock: " + f.cause.getMessage());
            leader = f.leader;
            rv = f.cause.code();
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            rv = e.code();
        }
        out.println("read_leader done " + rv);
        print(out, leader == null ? ZERO : leader, lockspace);
        return rv == 0 ? 0 : 1;
    }

    /**
     * The leader {@code direct write_leader} starts from: the one read_leader would print
     * (also when its checks fail), or zeros when nothing could be read.
     */
    static Leader readForRewrite(SanlockOptions o) {
        try {
            if (o.lockspace != null) {
                return readDelta(o, o.lockspace);
            }
            if (!o.resources.isEmpty()) {
                return readPaxos(o, o.resources.get(0));
            }
        } catch (ReadFailure f) {
            return f.leader;
        } catch (SanlockException e) {
            return ZERO;
        }
        return ZERO;
    }

    static final Leader ZERO = new Leader(0, 0, 0, 0, 0, 0, 0, 0, 0, "", "", 0, 0, 0, 0, 0, 0);

    /** A check failed after the leader was read: report the code, still print the fields. */
    private static final class ReadFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Leader leader;
        final SanlockException cause;

        ReadFailure(Leader leader, SanlockException cause) {
            super(cause.getMessage(), null, false, false);
            this.leader = leader;
            this.cause = cause;
        }
    }

    private static Leader readDelta(SanlockOptions o, LockspaceSpec ls) throws SanlockException, ReadFailure {
        if (ls.path().isEmpty()) {
            throw new SanlockException(SanlockError.EPERM, "lockspace '" + ls.name() + "' has no path");
        }
        if (ls.hostId() <= 0) {
            throw new SanlockException(SanlockError.EINVAL, "host_id " + ls.hostId() + " is invalid: host ids start at 1");
        }
        try (DirectFileStorage s = Storage.openLockspace(ls.path(), DirectFileStorage.Access.READ_ONLY)) {
            checkSectorOption(o, s);
            checkOffset(s, ls.offset());
            Geometry g = geometry(o, s, ls.offset());
            if (ls.hostId() > g.maxHosts()) {
                throw new SanlockException(SanlockError.EINVAL, "host_id " + ls.hostId() + " is above the maximum "
                        + g.maxHosts() + " for sector/align size " + g);
            }
            ByteBuffer b = read(o, s, ls.offset() + g.deltaLeaseOffset(ls.hostId()), g.sectorSize());
            try {
                return Leader.decodeDeltaChecked(b, 0, ls.name());
            } catch (SanlockException e) {
                throw new ReadFailure(Leader.decode(b, 0), e);
            }
        }
    }

    private static Leader readPaxos(SanlockOptions o, ResourceSpec r) throws SanlockException, ReadFailure {
        if (r.disks().isEmpty()) {
            // sanlock answers -1 for a resource without a path.
            throw new SanlockException(SanlockError.EPERM, "resource '" + r.name() + "' names no path and offset: "
                    + "-r needs <lockspace>:<resource>:<path>:<offset>");
        }
        ResourceSpec.Disk d = r.disk();
        try (DirectFileStorage s = Storage.openForRead(d.path(), SanlockError.ENOENT)) {
            checkSectorOption(o, s);
            checkOffset(s, d.offset());
            int sector = o.sectorSizeOption != 0 ? o.sectorSizeOption : PROBE;
            ByteBuffer b = read(o, s, d.offset(), sector);
            try {
                return Leader.decodePaxosChecked(b, 0, r.lockspaceName(), r.name(), 0);
            } catch (SanlockException e) {
                throw new ReadFailure(Leader.decode(b, 0), e);
            }
        }
    }

    /** A -Z smaller than the device's sectors: sanlock refuses with -22 before reading. */
    private static void checkSectorOption(SanlockOptions o, DirectFileStorage s) throws SanlockException {
        if (o.sectorSizeOption != 0 && o.sectorSizeOption % s.sectorSize() != 0) {
            throw new SanlockException(SanlockError.EINVAL, "-Z " + o.sectorSizeOption + " is smaller than the "
                    + s.sectorSize() + "-byte sectors of " + s.path());
        }
    }

    private static void checkOffset(DirectFileStorage s, long offset) throws SanlockException {
        if (offset % s.sectorSize() != 0) {
            throw new SanlockException(SanlockError.EINVAL, "offset " + offset + " is not a multiple of the "
                    + s.sectorSize() + "-byte sectors of " + s.path());
        }
    }

    /**
     * -Z/-A when both are given; otherwise the sizes of the leader at the area
     * start (read with 4 KiB, as the reference does). With no leader there
     * the reference cannot place a host's sector and fails with -1.
     */
    static Geometry geometry(SanlockOptions o, DirectFileStorage s, long areaOffset) throws SanlockException {
        if (o.hasGeometry()) {
            return o.geometry();
        }
        ByteBuffer b = ByteBuffer.allocate(PROBE);
        int got = s.read(areaOffset, b, Storage.timeoutMillis(o));
        if (got < PROBE) {
            throw new SanlockException(SanlockError.EMSGSIZE, s.path() + " ends at " + (areaOffset + got)
                    + ", inside the first 4 KiB of the area at offset " + areaOffset);
        }
        Leader first = Leader.decode(b, 0);
        boolean known = first.magic() == DiskFormat.DELTA_DISK_MAGIC || first.magic() == DiskFormat.PAXOS_DISK_MAGIC;
        if (!known || (first.sectorSize() != 512 && first.sectorSize() != 4096)) {
            throw new SanlockException(SanlockError.EPERM, "no leader at offset " + areaOffset + " of " + s.path()
                    + " tells the sector and align size; set them with -Z and -A");
        }
        int sector = o.sectorSizeOption != 0 ? o.sectorSizeOption : first.sectorSize();
        int align = Geometry.alignFromLeaderFlags(first.flags());
        if (align != 0 && Geometry.valid(sector, align)) {
            return Geometry.of(sector, align);
        }
        return Geometry.legacy(sector);
    }

    private static ByteBuffer read(SanlockOptions o, DirectFileStorage s, long offset, int len) throws SanlockException {
        ByteBuffer b = ByteBuffer.allocate(Math.max(len, s.sectorSize()));
        int got = s.read(offset, b, Storage.timeoutMillis(o));
        if (got < len) {
            // What the reference reports when the storage ends inside the leader's sector.
            throw new SanlockException(SanlockError.EMSGSIZE, s.path() + " ends at " + (offset + got)
                    + ", inside the leader sector at offset " + offset);
        }
        return b;
    }

    static void print(PrintStream out, Leader l, boolean lockspace) {
        StringBuilder b = new StringBuilder(512);
        b.append("magic 0x").append(Integer.toHexString(l.magic())).append('\n');
        b.append("version 0x").append(Integer.toHexString(l.version())).append('\n');
        b.append("flags 0x").append(Integer.toHexString(l.flags())).append('\n');
        b.append("sector_size ").append(Integer.toUnsignedString(l.sectorSize())).append('\n');
        b.append("num_hosts ").append(Long.toUnsignedString(l.numHosts())).append('\n');
        b.append("max_hosts ").append(Long.toUnsignedString(l.maxHosts())).append('\n');
        b.append("owner_id ").append(Long.toUnsignedString(l.ownerId())).append('\n');
        b.append("owner_generation ").append(Long.toUnsignedString(l.ownerGeneration())).append('\n');
        b.append("lver ").append(Long.toUnsignedString(l.lver())).append('\n');
        b.append("space_name ").append(l.spaceName()).append('\n');
        b.append("resource_name ").append(l.resourceName()).append('\n');
        b.append("timestamp ").append(Long.toUnsignedString(l.timestamp())).append('\n');
        b.append("checksum 0x").append(Integer.toHexString(l.checksum())).append('\n');
        b.append("io_timeout ").append(l.ioTimeout()).append('\n');
        String[] names = lockspace ? new String[] {"extra1 ", "extra2 ", "extra3 "}
                : new String[] {"write_id ", "write_generation ", "write_timestamp "};
        b.append(names[0]).append(Long.toUnsignedString(l.writeId())).append('\n');
        b.append(names[1]).append(Long.toUnsignedString(l.writeGeneration())).append('\n');
        b.append(names[2]).append(Long.toUnsignedString(l.writeTimestamp())).append('\n');
        out.print(b);
    }
}
