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

    /**
     * A changed slot of another host whose bitmap has my bit set: a request or a host
     * event for me. {@code event} (write_generation) non-zero means a host event with
     * {@code generation} (write_id) and {@code data} (write_timestamp).
     */
    public record Notice(long hostId, long ownerGeneration, long generation, long event, long data) {}

    /** Host ids of {@link #scanNotices}. */
    public static List<Long> scan(ByteBuffer area, Geometry g, String spaceName, HostTable table, long now) {
        List<Long> ids = new ArrayList<>(0);
        for (Notice n : scanNotices(area, g, spaceName, table, now)) {
            ids.add(n.hostId());
        }
        return ids;
    }

    /** Scans all max_hosts slots of {@code area}; returns the changed slots that ask me to look. */
    public static List<Notice> scanNotices(ByteBuffer area, Geometry g, String spaceName, HostTable table, long now) {
        List<Notice> notify = new ArrayList<>(0);
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
                notify.add(new Notice(i + 1, l.ownerGeneration(), l.writeId(), l.writeGeneration(),
                        l.writeTimestamp()));
            }
        }
        table.scanDone();
        return notify;
    }
}
