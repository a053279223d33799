package io.jsanlock.lease;

import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.HostIdBitmap;
import io.jsanlock.format.Leader;
import io.jsanlock.format.Names;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds one renewal read of a whole lockspace area into my {@link HostTable}
 * (algorithms.md 2.6) and reports which hosts set my bit in their bitmap.
 */
public final class AreaScan {
    private AreaScan() {
    }

    /** Scans all max_hosts slots of {@code area}; returns host ids whose changed slot asks me to look. */
    public static List<Long> scan(ByteBuffer area, Geometry g, String spaceName, HostTable table, long now) {
        List<Long> notify = new ArrayList<>(0);
        int ss = g.sectorSize();
        int me = (int) table.myHostId();
        int n = Math.min(g.maxHosts(), table.maxHosts());
        for (int i = 0; i < n; i++) {
            int off = i * ss;
            Leader l = Leader.decode(area, off);
            boolean valid = l.magic() == DiskFormat.DELTA_DISK_MAGIC && Names.sameName(l.spaceName(), spaceName);
            boolean myBit = me <= HostIdBitmap.MAX_HOST_ID && HostIdBitmap.isSet(area, off, me);
            if (table.observe(i + 1, new HostTable.SlotReading(valid, l.ownerId(), l.ownerGeneration(), l.timestamp(),
                    l.ioTimeout(), l.resourceName(), myBit), now)) {
                notify.add((long) (i + 1));
            }
        }
        table.scanDone();
        return notify;
    }
}
