package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.cli.client.RindexArgs;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.RindexEntry;
import io.jsanlock.format.RindexHeader;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.io.LeaseAreas;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;

import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code direct format|lookup|update|rebuild -x RINDEX}: the resource index read and
 * written on storage by this process alone, without a daemon and without taking the
 * index's internal lease (sanlock's direct actions do not coordinate either; use the
 * client actions while hosts are live). Layout: ondisk.md 7. Output as the client
 * actions: {@code format done <rv>}, {@code lookup done <rv>} + {@code name <n> offset
 * <o>}, {@code update done <rv>}, {@code rebuild done <rv>}.
 */
final class DirectRindex {
    /** Name of the index's internal paxos lease at rindex offset + align. */
    static final String INTERNAL_LEASE = "rindex_lease";

    private DirectRindex() {
    }

    static int run(String action, SanlockOptions o, String[] args, int from, PrintStream out, PrintStream err) {
        ResourceIndex rx = RindexArgs.rindex(io.jsanlock.cli.client.Args.lastValue(args, from, 'x'), 0);
        ResourceEntry entry = RindexArgs.entry(io.jsanlock.cli.client.Args.lastValue(args, from, 'e'));
        boolean clear = o.clear;
        int rv = 0;
        ResourceEntry found = null;
        try {
            if (rx.disk().path().isEmpty()) {
                throw new SanlockException(SanlockError.EINVAL, "-x RINDEX needs <lockspace>:<path>:<offset>");
            }
            switch (action) {
                case "format" -> format(o, rx);
                case "lookup" -> found = lookup(o, rx, entry);
                case "update" -> update(o, rx, entry, clear);
                case "rebuild" -> rebuild(o, rx);
                default -> throw new IllegalArgumentException(action);
            }
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            rv = e.code();
        }
        out.println(action + " done " + rv);
        if (rv == 0 && found != null) {
            out.println("name " + (found.name().isEmpty() ? "-" : found.name()) + " offset " + found.offset());
        }
        return rv == 0 ? 0 : 1;
    }

    private static void format(SanlockOptions o, ResourceIndex rx) throws SanlockException {
        if (o.sectorSizeAlone()) {
            throw new SanlockException(SanlockError.EPERM, "-Z " + o.sectorSizeOption + " needs -A 1M|2M|4M|8M as well");
        }
        long off = rx.disk().offset();
        try (DirectFileStorage s = Storage.openForWrite(rx.disk().path(), SanlockError.ENOENT)) {
            Geometry g = o.hasGeometry() ? o.geometry() : Geometry.legacy(s.sectorSize());
            LeaseAreas.checkPlacement(s, s.isBlockDevice(), g, off);
            LeaseAreas.checkPlacement(s, s.isBlockDevice(), g, off + g.alignSize());
            // Index area: header in sector 0, every entry free. The internal lease first, so an
            // interrupted format never leaves a valid header without its lease.
            Leader internal = Leader.newPaxosLeader(g, rx.lockspaceName(), INTERNAL_LEASE, g.maxHosts());
            LeaseAreas.initResource(s, off + g.alignSize(), g, internal, Storage.timeoutMillis(o));
            ByteBuffer area = ByteBuffer.allocate(g.alignSize());
            RindexHeader.of(g, RindexHeader.DEFAULT_MAX_RESOURCES, off, rx.lockspaceName()).encode(area, 0);
            s.write(off, area, Storage.timeoutMillis(o));
        }
    }

    /** The index as read: header, geometry and the whole first area (header + entries). */
    private record Index(RindexHeader header, Geometry g, ByteBuffer area) {
        RindexEntry entry(int i) {
            return RindexEntry.decode(area, g.sectorSize() + i * DiskFormat.RINDEX_ENTRY_LEN);
        }

        int count() {
            return Math.min(header.maxResources(), (g.alignSize() - g.sectorSize()) / DiskFormat.RINDEX_ENTRY_LEN);
        }

        long leaseOffset(int i) {
            return header.rxOffset() + (2L + i) * g.alignSize();
        }
    }

    private static Index read(DirectFileStorage s, SanlockOptions o, ResourceIndex rx) throws SanlockException {
        long off = rx.disk().offset();
        ByteBuffer first = ByteBuffer.allocate(4096);
        s.read(off, first, Storage.timeoutMillis(o));
        RindexHeader h = RindexHeader.decode(first, 0);
        h.check(rx.lockspaceName(), off);
        Geometry g = h.geometry();
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        s.read(off, area, Storage.timeoutMillis(o));
        return new Index(h, g, area);
    }

    private static ResourceEntry lookup(SanlockOptions o, ResourceIndex rx, ResourceEntry want) throws SanlockException {
        try (DirectFileStorage s = Storage.openForRead(rx.disk().path(), SanlockError.ENOENT)) {
            Index ix = read(s, o, rx);
            for (int i = 0; i < ix.count(); i++) {
                RindexEntry e = ix.entry(i);
                if (!want.name().isEmpty()) {
                    if (!e.isFree() && e.name().equals(want.name())) {
                        return new ResourceEntry(e.name(), e.resOffset(), 0);
                    }
                } else if (want.offset() != 0) {
                    if (!e.isFree() && e.resOffset() == want.offset()) {
                        return new ResourceEntry(e.name(), e.resOffset(), 0);
                    }
                } else if (e.isFree()) {
                    return new ResourceEntry("", ix.leaseOffset(i), 0);
                }
            }
            throw new SanlockException(SanlockError.ENOENT, want.name().isEmpty() && want.offset() == 0
                    ? "the resource index is full" : "no entry " + describe(want) + " in the resource index");
        }
    }

    /**
     * Adds {@code NAME:OFFSET} as the entry of the lease at OFFSET (entry i belongs to the
     * lease at rindex offset + (2+i)·align), or with {@code -z} removes that entry.
     */
    private static void update(SanlockOptions o, ResourceIndex rx, ResourceEntry e, boolean remove) throws SanlockException {
        if (e.offset() == 0 || (!remove && e.name().isEmpty())) {
            throw new SanlockException(SanlockError.EINVAL, "update needs -e <resource_name>:<offset>");
        }
        try (DirectFileStorage s = Storage.openForWrite(rx.disk().path(), SanlockError.ENOENT)) {
            Index ix = read(s, o, rx);
            long rel = e.offset() - ix.header().rxOffset() - 2L * ix.g().alignSize();
            if (rel < 0 || rel % ix.g().alignSize() != 0 || rel / ix.g().alignSize() >= ix.count()) {
                throw new SanlockException(SanlockError.RINDEX_OFFSET, "offset " + e.offset()
                        + " is not the place of a lease of this resource index");
            }
            int i = (int) (rel / ix.g().alignSize());
            RindexEntry now = ix.entry(i);
            if (remove && !now.isFree() && !e.name().isEmpty() && !now.name().equals(e.name())) {
                throw new SanlockException(SanlockError.ENOENT, "entry at offset " + e.offset() + " is " + now.name()
                        + ", not " + e.name());
            }
            writeEntry(s, o, ix, i, remove ? RindexEntry.FREE : new RindexEntry(e.offset(), 0, e.name()));
        }
    }

    /** Rewrites every entry from the leases found on storage (a paxos lease of the index's lockspace). */
    private static void rebuild(SanlockOptions o, ResourceIndex rx) throws SanlockException {
        try (DirectFileStorage s = Storage.openForWrite(rx.disk().path(), SanlockError.ENOENT)) {
            Index ix = read(s, o, rx);
            Geometry g = ix.g();
            long size = s.size();
            ByteBuffer area = ix.area().duplicate();
            ByteBuffer sector = ByteBuffer.allocate(g.sectorSize());
            for (int i = 0; i < ix.count(); i++) {
                long at = ix.leaseOffset(i);
                RindexEntry entry = RindexEntry.FREE;
                if (at + g.sectorSize() <= size) {
                    sector.clear();
                    int got = s.read(at, sector, Storage.timeoutMillis(o));
                    if (got >= DiskFormat.LEADER_LEN) {
                        Leader l = Leader.decode(sector, 0);
                        if (l.magic() == DiskFormat.PAXOS_DISK_MAGIC && l.spaceName().equals(rx.lockspaceName())) {
                            entry = new RindexEntry(at, 0, l.resourceName());
                        }
                    }
                }
                entry.encode(area, g.sectorSize() + i * DiskFormat.RINDEX_ENTRY_LEN);
            }
            ByteBuffer entries = ByteBuffer.allocate(g.alignSize() - g.sectorSize());
            entries.put(0, area, g.sectorSize(), entries.capacity());
            s.write(ix.header().rxOffset() + g.sectorSize(), entries, Storage.timeoutMillis(o));
        }
    }

    private static void writeEntry(DirectFileStorage s, SanlockOptions o, Index ix, int i, RindexEntry e) throws SanlockException {
        Geometry g = ix.g();
        int inArea = g.sectorSize() + i * DiskFormat.RINDEX_ENTRY_LEN;
        int sectorStart = inArea - inArea % g.sectorSize();
        ByteBuffer sector = ByteBuffer.allocate(g.sectorSize());
        sector.put(0, ix.area(), sectorStart, g.sectorSize());
        e.encode(sector, inArea - sectorStart);
        s.write(ix.header().rxOffset() + sectorStart, sector, Storage.timeoutMillis(o));
    }

    private static String describe(ResourceEntry e) {
        return e.name().isEmpty() ? "at offset " + e.offset() : "named " + e.name();
    }
}
