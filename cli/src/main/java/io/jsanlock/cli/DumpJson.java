package io.jsanlock.cli;

import io.jsanlock.base.SanlockException;
import io.jsanlock.cli.json.JsonWriter;
import io.jsanlock.format.Dblock;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.HostIdBitmap;
import io.jsanlock.format.Leader;
import io.jsanlock.format.ModeBlock;
import io.jsanlock.format.RequestRecord;
import io.jsanlock.format.RindexEntry;
import io.jsanlock.format.RindexHeader;
import io.jsanlock.io.DirectFileStorage;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code direct dump … --json}: the same areas and rows as {@link DirectDump}'s table
 * (the same rows are skipped, {@code -f 1} adds bitmaps and request records, {@code -f 2}
 * dblocks), as one JSON document.
 */
final class DumpJson {
    private DumpJson() {
    }

    static int run(DirectFileStorage s, String path, long offset, long size, Geometry g, long detail, long timeout,
                   PrintStream out) throws SanlockException {
        JsonWriter j = new JsonWriter().beginObject().member("command", "direct dump").bytes("path", path)
                .member("offset", offset).member("size", size).member("sector_size", g.sectorSize())
                .member("align_size", g.alignSize()).member("detail", detail);
        j.name("areas").beginArray();
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        for (long pos = offset; size == 0 || pos < offset + size; pos += g.alignSize()) {
            area.clear();
            if (s.read(pos, area, timeout) < g.alignSize()) {
                break;
            }
            int magic = Leader.magicAt(area, 0);
            if (magic == DiskFormat.DELTA_DISK_MAGIC) {
                delta(j, area, pos, g, detail);
            } else if (magic == DiskFormat.PAXOS_DISK_MAGIC) {
                paxos(j, area, pos, g, detail);
            } else if (magic == DiskFormat.RINDEX_DISK_MAGIC) {
                rindex(j, area, pos, g, detail);
            } else if (size == 0) {
                break;
            }
        }
        j.endArray().endObject();
        out.print(j);
        return 0;
    }

    private static void delta(JsonWriter j, ByteBuffer area, long pos, Geometry g, long detail) {
        j.beginObject().member("type", "lockspace").member("offset", pos);
        j.bytes("lockspace", Leader.decode(area, 0).spaceName());
        j.name("hosts").beginArray();
        int ss = g.sectorSize();
        for (int sec = 0; sec < g.sectorsPerArea(); sec++) {
            int off = sec * ss;
            if (Leader.magicAt(area, off) == 0) {
                continue;
            }
            Leader l = Leader.decode(area, off);
            if (l.ownerId() == 0 && l.ownerGeneration() == 0) {
                continue;
            }
            j.beginObject().member("offset", pos + off);
            leader(j, l);
            j.bytes("host_name", l.resourceName()).member("io_timeout", l.ioTimeout() & 0xFF);
            if (detail >= 1) {
                j.name("bitmap").beginArray();
                for (int id : HostIdBitmap.decode(area, off).hostIds()) {
                    j.value(id);
                }
                j.endArray();
            }
            j.endObject();
        }
        j.endArray().endObject();
    }

    private static void paxos(JsonWriter j, ByteBuffer area, long pos, Geometry g, long detail) {
        int ss = g.sectorSize();
        Leader l = Leader.decode(area, 0);
        j.beginObject().member("type", "resource").member("offset", pos);
        j.bytes("lockspace", l.spaceName()).bytes("resource", l.resourceName());
        leader(j, l);
        j.memberUnsigned("lver", l.lver()).memberUnsigned("num_hosts", l.numHosts());
        if (detail >= 1) {
            RequestRecord r = RequestRecord.decode(area, ss);
            j.name("request").beginObject().memberUnsigned("lver", r.lver())
                    .memberUnsigned("force_mode", Integer.toUnsignedLong(r.forceMode())).endObject();
        }
        long slots = Math.min(Long.compareUnsigned(l.numHosts(), Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : l.numHosts(),
                g.sectorsPerArea() - DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR);
        j.name("shared").beginArray();
        for (int i = 0; i < slots; i++) {
            ModeBlock m = ModeBlock.decode(area, (DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + i) * ss);
            if (m.shared()) {
                j.beginObject().member("host_id", i + 1).memberUnsigned("generation", m.generation()).endObject();
            }
        }
        j.endArray();
        if (detail >= 2) {
            j.name("dblocks").beginArray();
            for (int i = 0; i < slots; i++) {
                Dblock d = Dblock.decode(area, (DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + i) * ss);
                if (d.mbal() != 0 || d.inp() != 0 || d.lver() != 0) {
                    j.beginObject().member("index", i).memberUnsigned("mbal", d.mbal()).memberUnsigned("bal", d.bal())
                            .memberUnsigned("inp", d.inp()).memberUnsigned("inp2", d.inp2()).memberUnsigned("inp3", d.inp3())
                            .memberUnsigned("lver", d.lver()).member("checksum", Integer.toHexString(d.checksum())).endObject();
                }
            }
            j.endArray();
        }
        j.endObject();
    }

    private static void rindex(JsonWriter j, ByteBuffer area, long pos, Geometry g, long detail) {
        RindexHeader h = RindexHeader.decode(area, 0);
        j.beginObject().member("type", "rindex").member("offset", pos).bytes("lockspace", h.lockspaceName())
                .member("flags", Integer.toUnsignedLong(h.flags())).member("sector_size", h.sectorSize())
                .member("max_resources", Integer.toUnsignedLong(h.maxResources())).memberUnsigned("rx_offset", h.rxOffset());
        if (detail >= 1) {
            j.name("entries").beginArray();
            int ss = g.sectorSize();
            for (int off = ss; off + DiskFormat.RINDEX_ENTRY_LEN <= g.alignSize(); off += DiskFormat.RINDEX_ENTRY_LEN) {
                RindexEntry e = RindexEntry.decode(area, off);
                if (!e.isFree()) {
                    j.beginObject().member("offset", pos + off).bytes("name", e.name())
                            .memberUnsigned("res_offset", e.resOffset()).endObject();
                }
            }
            j.endArray();
        }
        j.endObject();
    }

    private static void leader(JsonWriter j, Leader l) {
        j.memberUnsigned("timestamp", l.timestamp()).memberUnsigned("owner_id", l.ownerId())
                .memberUnsigned("generation", l.ownerGeneration());
    }
}
