package io.jsanlock.direct;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.RindexEntry;
import io.jsanlock.format.RindexHeader;
import io.jsanlock.io.SectorStorage;
import java.nio.ByteBuffer;

/**
 * A resource index as read from storage (ondisk.md 7): its header, the geometry the
 * header records and a copy of the whole first area (header sector + entries), with
 * the writes that change it. Shared by the CLI's direct actions and the daemon.
 *
 * <p>Entry i belongs to the lease at rx_offset + (2+i)·align. Writes change one
 * entry by read-modify-writing its sector (from this copy), or all entries at once;
 * the header sector is never rewritten.
 */
public final class RindexArea {
    private final SectorStorage storage;
    private final RindexHeader header;
    private final Geometry g;
    private final ByteBuffer area;

    private RindexArea(SectorStorage storage, RindexHeader header, Geometry g, ByteBuffer area) {
        this.storage = storage;
        this.header = header;
        this.g = g;
        this.area = area;
    }

    /**
     * Reads the index at {@code offset} and checks its header as sanlock does (magic,
     * major version, lockspace name, rx_offset).
     *
     * @throws SanlockException -274 … -277 for a header that is not this index's, or an I/O error
     */
    public static RindexArea read(SectorStorage s, long offset, String lockspaceName, long timeoutMillis)
            throws SanlockException {
        ByteBuffer first = ByteBuffer.allocate(Math.max(4096, s.sectorSize()));
        s.read(offset, first, timeoutMillis);
        RindexHeader h = RindexHeader.decode(first, 0);
        h.check(lockspaceName, offset);
        Geometry g;
        try {
            g = h.geometry();
        } catch (IllegalStateException e) {
            throw new SanlockException(SanlockError.EINVAL, "rindex header at " + offset + " records sector size "
                    + h.sectorSize() + " with flags 0x" + Integer.toHexString(h.flags()) + ", not a valid geometry");
        }
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        s.read(offset, area, timeoutMillis);
        return new RindexArea(s, h, g, area);
    }

    public RindexHeader header() {
        return header;
    }

    public Geometry geometry() {
        return g;
    }

    /** Number of usable entries: max_resources, capped at what fits in the first area. */
    public int count() {
        return Math.min(header.maxResources(), (g.alignSize() - g.sectorSize()) / DiskFormat.RINDEX_ENTRY_LEN);
    }

    public RindexEntry entry(int i) {
        return RindexEntry.decode(area, g.sectorSize() + i * DiskFormat.RINDEX_ENTRY_LEN);
    }

    /** Absolute offset of the lease that entry {@code i} describes. */
    public long leaseOffset(int i) {
        return header.rxOffset() + (2L + i) * g.alignSize();
    }

    /** Absolute offset of the index's internal {@code rindex_lease}. */
    public long internalLeaseOffset() {
        return header.rxOffset() + g.alignSize();
    }

    /**
     * The entry index of the lease at {@code leaseOffset}.
     *
     * @throws SanlockException RINDEX_OFFSET (-277) when no entry of this index belongs to that offset
     */
    public int indexOf(long leaseOffset) throws SanlockException {
        long rel = leaseOffset - header.rxOffset() - 2L * g.alignSize();
        if (rel < 0 || rel % g.alignSize() != 0 || rel / g.alignSize() >= count()) {
            throw new SanlockException(SanlockError.RINDEX_OFFSET, "offset " + leaseOffset
                    + " is not the place of a lease of this resource index");
        }
        return (int) (rel / g.alignSize());
    }

    /**
     * The entry slot of the lease at {@code leaseOffset} with only the alignment checked,
     * as sanlock's daemon computes it: negative for offsets below the first lease (the
     * slot then lies in the header sector), {@link #count()} or more past the last entry.
     * Use {@link #inArea} before reading or writing the slot.
     *
     * @throws SanlockException RINDEX_OFFSET (-277) when the offset is not a whole number of areas from the first lease
     */
    public int slotOf(long leaseOffset) throws SanlockException {
        long rel = leaseOffset - header.rxOffset() - 2L * g.alignSize();
        if (rel % g.alignSize() != 0) {
            throw new SanlockException(SanlockError.RINDEX_OFFSET, "offset " + leaseOffset
                    + " is not aligned to the " + g.alignSize() + "-byte areas of this resource index");
        }
        long slot = rel / g.alignSize();
        return slot < Integer.MIN_VALUE / 2 || slot > Integer.MAX_VALUE / 2 ? Integer.MIN_VALUE / 2 : (int) slot;
    }

    /**
     * True when slot {@code i} lies inside the first area and clear of the 80-byte header:
     * the slots sanlock's daemon may read or write for an offset without touching the
     * header or anything outside the index (entries only exist for 0 … count-1).
     */
    public boolean inArea(int i) {
        long at = g.sectorSize() + (long) i * DiskFormat.RINDEX_ENTRY_LEN;
        return at >= 2L * DiskFormat.RINDEX_ENTRY_LEN && at + DiskFormat.RINDEX_ENTRY_LEN <= g.alignSize();
    }

    /** Lowest free entry, or -1 when the index is full. */
    public int firstFree() {
        for (int i = 0; i < count(); i++) {
            if (entry(i).isFree()) {
                return i;
            }
        }
        return -1;
    }

    /** Lowest entry in use with this name, or -1. */
    public int find(String name) {
        for (int i = 0; i < count(); i++) {
            RindexEntry e = entry(i);
            if (!e.isFree() && e.name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Writes entry {@code i} (read-modify-write of its sector from the copy read). */
    public void writeEntry(int i, RindexEntry e, long timeoutMillis) throws SanlockException {
        int inArea = g.sectorSize() + i * DiskFormat.RINDEX_ENTRY_LEN;
        int sectorStart = inArea - inArea % g.sectorSize();
        ByteBuffer sector = ByteBuffer.allocate(g.sectorSize());
        sector.put(0, area, sectorStart, g.sectorSize());
        e.encode(sector, inArea - sectorStart);
        storage.write(header.rxOffset() + sectorStart, sector, timeoutMillis);
        e.encode(area, inArea);
    }

    /**
     * Rewrites every entry from the leases found on storage: entry i describes the
     * lease at {@link #leaseOffset} i when a paxos leader is there
     * ({@code sameLockspace}: only one of this index's lockspace), free otherwise.
     * Entries whose lease would lie past the end of storage are made free, and the area
     * after the last entry is zeroed.
     *
     * @return how many entries describe a lease
     */
    public int rebuild(boolean sameLockspace, long timeoutMillis) throws SanlockException {
        long size = storage.size();
        ByteBuffer sector = ByteBuffer.allocate(g.sectorSize());
        // The rest of the area after the entries is written as zeros, as sanlock's rebuild
        // does (slots past max_resources that an update wrote are cleared).
        ByteBuffer entries = ByteBuffer.allocate(g.alignSize() - g.sectorSize());
        int found = 0;
        for (int i = 0; i < count(); i++) {
            long at = leaseOffset(i);
            RindexEntry entry = RindexEntry.FREE;
            if (at + g.sectorSize() <= size) {
                sector.clear();
                int got = storage.read(at, sector, timeoutMillis);
                if (got >= DiskFormat.LEADER_LEN) {
                    Leader l = Leader.decode(sector, 0);
                    if (l.magic() == DiskFormat.PAXOS_DISK_MAGIC
                            && (!sameLockspace || l.spaceName().equals(header.lockspaceName()))) {
                        entry = new RindexEntry(at, 0, l.resourceName());
                        found++;
                    }
                }
            }
            entry.encode(entries, i * DiskFormat.RINDEX_ENTRY_LEN);
        }
        storage.write(header.rxOffset() + g.sectorSize(), entries, timeoutMillis);
        area.put(g.sectorSize(), entries, 0, entries.capacity());
        return found;
    }
}
