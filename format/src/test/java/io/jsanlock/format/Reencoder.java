package io.jsanlock.format;

import java.nio.ByteBuffer;

/**
 * Rebuilds an image from the records decoded out of it, area by area, the
 * way sanlock builds sectors (zeros plus records). If every codec is exact
 * the result equals the original byte for byte. The only bytes not rebuilt
 * from records are the LVB sector (raw application data, copied) and the
 * request-record padding at 20..23 (garbage sanlock sometimes writes; our
 * encoder writes zeros, the comparison must skip it).
 */
final class Reencoder {
    private Reencoder() {
    }

    static ByteBuffer rebuild(ByteBuffer img) {
        ByteBuffer out = ByteBuffer.allocate(img.capacity());
        int mib = Geometry.MIB;
        // Every vector's areas are 1 MiB aligned; an area's own size comes from its leader.
        for (int area = 0; area + 4096 <= img.capacity(); ) {
            int magic = Leader.magicAt(img, area);
            if (magic == DiskFormat.DELTA_DISK_MAGIC) {
                Leader l0 = Leader.decode(img, area);
                Geometry g = geometry(l0);
                for (int s = 0; s < g.sectorsPerArea(); s++) {
                    int off = area + s * g.sectorSize();
                    if (Leader.magicAt(img, off) == 0) {
                        continue;
                    }
                    DeltaLeaseSector.encode(out, off, g.sectorSize(), Leader.decode(img, off), HostIdBitmap.decode(img, off));
                }
                area += g.alignSize();
            } else if (magic == DiskFormat.PAXOS_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_CLEAR) {
                Leader l = Leader.decode(img, area);
                Geometry g = geometry(l);
                l.encode(out, area);
                RequestRecord.decode(img, area + g.sectorSize()).encode(out, area + g.sectorSize());
                for (long h = 1; h <= l.maxHosts(); h++) {
                    int off = (int) (area + g.dblockOffset(h));
                    if (off + g.sectorSize() > img.capacity()) {
                        break;
                    }
                    Dblock d = Dblock.decode(img, off);
                    ModeBlock m = ModeBlock.decode(img, off);
                    if (!d.equals(Dblock.ZERO)) {
                        d.encode(out, off);
                    }
                    if (!m.equals(ModeBlock.NONE)) {
                        m.encode(out, off);
                    }
                }
                int lvb = area + DiskFormat.LVB_SECTOR * g.sectorSize();
                if (g.sectorSize() == 512 && lvb + 512 <= img.capacity()) {
                    out.put(lvb, img, lvb, 512);
                }
                area += g.alignSize();
            } else if (magic == DiskFormat.RINDEX_DISK_MAGIC) {
                RindexHeader h = RindexHeader.decode(img, area);
                Geometry g = h.geometry();
                h.encode(out, area);
                int entries = (g.alignSize() - g.sectorSize()) / DiskFormat.RINDEX_ENTRY_LEN;
                for (int i = 0; i < entries; i++) {
                    int off = area + g.sectorSize() + i * DiskFormat.RINDEX_ENTRY_LEN;
                    RindexEntry e = RindexEntry.decode(img, off);
                    if (!e.isFree()) {
                        e.encode(out, off);
                    }
                }
                area += g.alignSize();
            } else {
                area += mib;
            }
        }
        return out;
    }

    private static Geometry geometry(Leader l) {
        try {
            return Geometry.fromLeader(l);
        } catch (io.jsanlock.base.SanlockException e) {
            throw new AssertionError(e);
        }
    }

    /** Zeroes the request-record padding (bytes 20..23 of sector 1) of every paxos area, in place. */
    static void clearRequestPadding(ByteBuffer img) {
        for (int area = 0; area + 4096 <= img.capacity(); area += Geometry.MIB) {
            int magic = Leader.magicAt(img, area);
            if (magic == DiskFormat.PAXOS_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_CLEAR) {
                int ss = Leader.decode(img, area).sectorSize();
                img.putInt(area + ss + 20, 0);
            }
        }
    }
}
