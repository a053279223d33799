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
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;

import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code direct update|rebuild -x RINDEX} ({@code format} and {@code lookup} are in
 * {@link DirectRindex}): the resource index read and written on storage by this process alone, without a daemon and without taking the
 * index's internal lease (sanlock's direct actions do not coordinate either; use the
 * client actions while hosts are live). Layout: ondisk.md 7. Output as the client
 * actions: {@code update done <rv>}, {@code rebuild done <rv>}.
 */
final class DirectRindexUpdate {
    private DirectRindexUpdate() {
    }

    static int run(String action, SanlockOptions o, String[] args, int from, PrintStream out, PrintStream err) {
        ResourceIndex rx = RindexArgs.rindex(io.jsanlock.cli.client.Args.lastValue(args, from, 'x'), 0);
        ResourceEntry entry = RindexArgs.entry(io.jsanlock.cli.client.Args.lastValue(args, from, 'e'));
        boolean clear = o.clear;
        int rv = 0;
        try {
            if (rx.disk().path().isEmpty()) {
                throw new SanlockException(SanlockError.EINVAL, "-x RINDEX needs <lockspace>:<path>:<offset>");
            }
            switch (action) {
                case "update" -> update(o, rx, entry, clear);
                case "rebuild" -> rebuild(o, rx);
                default -> throw new IllegalArgumentException(action);
            }
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            rv = e.code();
        }
        out.println(action + " done " + rv);
        return rv == 0 ? 0 : 1;
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

}
