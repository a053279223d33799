package io.jsanlock.cli;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.direct.LeaseAreas;
import java.io.PrintStream;

/**
 * {@code direct init -s LOCKSPACE | -r RESOURCE [-Z -A] [-n N] [-o T] [-z 1]}:
 * writes a fresh lockspace or resource area and prints {@code init done <rv>}.
 * Every argument is checked before the storage is opened for writing, so a
 * refused init leaves the storage untouched.
 */
final class DirectInit {
    private DirectInit() {
    }

    static int run(SanlockOptions o, PrintStream out, PrintStream err) {
        int rv;
        try {
            if (o.lockspace != null) {
                initLockspace(o, o.lockspace);
            } else if (!o.resources.isEmpty()) {
                initResource(o, o.resources.get(0));
            } else {
                throw new SanlockException(SanlockError.EINVAL, o.resourceErrors > 0 ? "nothing to initialise: the -r argument did not parse"
                        : "init needs -s LOCKSPACE or -r RESOURCE");
            }
            rv = 0;
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            rv = e.code();
        }
        out.println("init done " + rv);
        return rv == 0 ? 0 : 1;
    }

    private static void initLockspace(SanlockOptions o, LockspaceSpec ls) throws SanlockException {
        if (ls.path().isEmpty()) {
            throw new SanlockException(SanlockError.EINVAL, "lockspace '" + ls.name() + "' has no path");
        }
        checkSizeOptions(o);
        // sanlock reports a lockspace path it cannot open as ENODEV (and a missing resource path as ENOENT).
        try (DirectFileStorage s = Storage.openLockspace(ls.path(), DirectFileStorage.Access.READ_WRITE)) {
            Geometry g = geometry(o, s);
            checkFits(s, g, ls.offset(), true);
            LeaseAreas.checkPlacement(s, s.isBlockDevice(), g, ls.offset());
            LeaseAreas.initLockspace(s, ls.offset(), g, ls.name(), o.ioTimeoutSeconds(), Storage.timeoutMillis(o));
        }
    }

    private static void initResource(SanlockOptions o, ResourceSpec r) throws SanlockException {
        if (r.disks().isEmpty()) {
            // sanlock answers -19 (no device) for a resource without a path.
            throw new SanlockException(SanlockError.ENODEV, "resource '" + r.name() + "' names no path and offset: "
                    + "-r needs <lockspace>:<resource>:<path>:<offset>");
        }
        checkSizeOptions(o);
        ResourceSpec.Disk d = r.disk();
        try (DirectFileStorage s = Storage.openForWrite(d.path(), SanlockError.ENOENT)) {
            Geometry g = geometry(o, s);
            checkFits(s, g, d.offset(), false);
            LeaseAreas.checkPlacement(s, s.isBlockDevice(), g, d.offset());
            // -n larger than the geometry allows is cut to max_hosts, as the reference does.
            long numHosts = o.numHosts <= 0 || o.numHosts > g.maxHosts() ? g.maxHosts() : o.numHosts;
            Leader leader = Leader.newPaxosLeader(g, r.lockspaceName(), r.name(), numHosts);
            if (o.clear) {
                // -z: a "cleared" lease, as rindex delete leaves it (ondisk.md 2.7).
                leader = leader.withMagic(DiskFormat.PAXOS_DISK_CLEAR).withWrite(0, 0, MonotonicClock.SYSTEM.seconds());
            }
            LeaseAreas.initResource(s, d.offset(), g, leader, Storage.timeoutMillis(o));
        }
    }

    /**
     * An area that does not fit on a block device is refused before anything is written,
     * with the code sanlock ends with: -28 (no space) when the offset is at or past the
     * end, or when a lockspace area runs past it on a device that could hold one (sanlock
     * writes until the device ends); -90 when the device is smaller than one area, and for
     * a resource area that runs past the end (sanlock checks that one first).
     */
    private static void checkFits(DirectFileStorage s, Geometry g, long offset, boolean lockspace) throws SanlockException {
        if (!s.isBlockDevice() || offset < 0) {
            return;
        }
        long size = s.size();
        String where = s.path() + " has " + size + " bytes: a " + g.alignSize() + "-byte " + (lockspace ? "lockspace" : "resource")
                + " area at offset " + offset;
        if (offset >= size) {
            throw new SanlockException(SanlockError.ENOSPC, where + " starts at or past its end");
        }
        if (offset + g.alignSize() > size) {
            boolean noSpace = lockspace && size >= g.alignSize();
            throw new SanlockException(noSpace ? SanlockError.ENOSPC : SanlockError.EMSGSIZE, where + " runs past its end");
        }
    }

    private static void checkSizeOptions(SanlockOptions o) throws SanlockException {
        if (o.sectorSizeAlone()) {
            throw new SanlockException(SanlockError.EPERM, "-Z " + o.sectorSizeOption + " needs -A 1M|2M|4M|8M as well");
        }
    }

    /** -Z/-A when given, else the device's sector size with the legacy align rule. */
    private static Geometry geometry(SanlockOptions o, DirectFileStorage s) throws SanlockException {
        return o.hasGeometry() ? o.geometry() : Geometry.legacy(s.sectorSize());
    }
}
