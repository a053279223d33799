package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.CNumbers;
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
 * {@code direct dump <path>[:<offset>[:<size>]] [-f 0|1|2] [-Z -A]}: prints
 * the lease areas found from the offset on, in sanlock's layout (ondisk.md 6;
 * reference output for every vector in ../shared/vectors/dumps.txt). Like the
 * reference it checks no checksums: it is a tool for looking at damaged
 * areas too.
 */
final class DirectDump {
    private static final int PROBE = 4096;
    /** How far the size probe looks for a leader when no size is given. */
    private static final long PROBE_LIMIT = 1L << 30;
    private static final String SH_INDENT = " ".repeat(106);

    private DirectDump() {
    }

    static int run(String target, SanlockOptions o, PrintStream out, PrintStream err) {
        return run(target, o, out, err, false);
    }

    /** With {@code json}, one JSON document (docs/schema/jsanlock-output.schema.json) instead of sanlock's table. */
    static int run(String target, SanlockOptions o, PrintStream out, PrintStream err, boolean json) {
        String[] parts = splitTarget(target);
        String path = parts[0];
        long offset = parts.length > 1 ? sizeValue(parts[1]) : 0;
        long size = parts.length > 2 ? sizeValue(parts[2]) : 0;
        long detail = o.force;
        DirectFileStorage s;
        try {
            s = Storage.openForRead(path, SanlockError.ENOENT);
        } catch (SanlockException e) {
            // sanlock's text for every path it cannot open (missing, a directory, no permission).
            if (json) {
                out.print(jsonError(e.code(), "Device " + path + " not found."));
            } else {
                out.println("Device " + path + " not found.");
            }
            err.println("jsanlock: " + e.getMessage());
            return 1;
        }
        try (s) {
            if (offset % Geometry.MIB != 0 && !json) {
                out.println("WARNING: dump offset should be a multiple of 1048576 bytes.");
            }
            long timeout = Storage.timeoutMillis(o);
            Geometry g = o.hasGeometry() ? o.geometry() : probe(s, offset, size, timeout);
            if (g == null && json) {
                out.print(jsonError(SanlockError.EINVAL.code(), "Cannot find sector_size and align_size, set with -A and -Z."));
                return 1;
            }
            if (g == null) {
                out.println("Cannot find sector_size and align_size, set with -A and -Z.");
                err.println("jsanlock: no delta or paxos leader at " + path + " offset " + offset
                        + " (nor at the next MiBs) tells the sector and align size");
                return 1;
            }
            if (json) {
                return DumpJson.run(s, path, offset, size, g, detail, timeout, out);
            }
            // printf("%8s %36s %48s %10s %4s %4s %s") of the column names.
            out.println(left("offset", 8) + ' ' + left("lockspace", 36) + ' ' + left("resource", 48) + ' '
                    + left("timestamp", 10) + ' ' + left("own", 4) + ' ' + left("gen", 4) + ' '
                    + (detail >= 1 ? "lver/req/mode" : "lver"));
            ByteBuffer area = ByteBuffer.allocate(g.alignSize());
            StringBuilder b = new StringBuilder(4096);
            for (long pos = offset; size == 0 || pos < offset + size; pos += g.alignSize()) {
                area.clear();
                int got = s.read(pos, area, timeout);
                if (got < g.alignSize()) {
                    break;
                }
                int magic = Leader.magicAt(area, 0);
                b.setLength(0);
                if (magic == DiskFormat.DELTA_DISK_MAGIC) {
                    deltaArea(b, area, pos, g, detail);
                } else if (magic == DiskFormat.PAXOS_DISK_MAGIC) {
                    paxosArea(b, area, pos, g, detail);
                } else if (magic == DiskFormat.RINDEX_DISK_MAGIC) {
                    rindexArea(b, area, pos, g, detail);
                } else if (size == 0) {
                    break;
                }
                out.print(b);
            }
            return 0;
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            return 1;
        }
    }

    static String jsonError(int code, String message) {
        return new io.jsanlock.cli.json.JsonWriter().beginObject().member("command", "direct dump").name("error").beginObject()
                .member("code", code).member("message", message).endObject().endObject().toString();
    }

    /** path[:offset[:size]], split at unescaped colons, escapes removed from the path. */
    static String[] splitTarget(String target) {
        java.util.List<String> parts = new java.util.ArrayList<>(3);
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '\\' && i + 1 < target.length()) {
                cur.append(target.charAt(++i));
            } else if (c == ':' && parts.size() < 2) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts.toArray(new String[0]);
    }

    /** A byte count, or MiB with an M suffix. */
    static long sizeValue(String s) {
        long n = CNumbers.atoll(s);
        return s.indexOf('M') >= 0 ? n * Geometry.MIB : n;
    }

    /**
     * Finds the sizes from the first delta or paxos leader at offset,
     * offset + 1 MiB, ... (up to 1 GiB or the given size); null if none.
     */
    private static Geometry probe(DirectFileStorage s, long offset, long size, long timeout) throws SanlockException {
        long limit = size != 0 ? size : PROBE_LIMIT;
        ByteBuffer b = ByteBuffer.allocate(PROBE);
        for (long k = 0; k < limit; k += Geometry.MIB) {
            b.clear();
            try {
                if (s.read(offset + k, b, timeout) < PROBE) {
                    return null;
                }
            } catch (SanlockException e) {
                // An offset the storage cannot read (unaligned, negative): nothing tells the sizes.
                return null;
            }
            int magic = Leader.magicAt(b, 0);
            if (magic == DiskFormat.DELTA_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_MAGIC) {
                Leader l = Leader.decode(b, 0);
                int align = Geometry.alignFromLeaderFlags(l.flags());
                int sector = l.sectorSize();
                if (align == 0 && (sector == 512 || sector == 4096)) {
                    return Geometry.legacy(sector);
                }
                if (Geometry.valid(sector, align)) {
                    return Geometry.of(sector, align);
                }
                return null;
            }
        }
        return null;
    }

    private static void deltaArea(StringBuilder b, ByteBuffer area, long pos, Geometry g, long detail) {
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
            row(b, pos + off, l);
            if (detail >= 1) {
                for (int id : HostIdBitmap.decode(area, off).hostIds()) {
                    b.append(' ').append(id);
                }
            }
            b.append('\n');
        }
    }

    private static void paxosArea(StringBuilder b, ByteBuffer area, long pos, Geometry g, long detail) {
        int ss = g.sectorSize();
        Leader l = Leader.decode(area, 0);
        row(b, pos, l);
        b.append(' ').append(Long.toUnsignedString(l.lver()));
        if (detail >= 1) {
            RequestRecord r = RequestRecord.decode(area, ss);
            b.append('/').append(Long.toUnsignedString(r.lver())).append('/').append(Integer.toUnsignedString(r.forceMode()));
        }
        b.append('\n');
        long slots = Math.min(Long.compareUnsigned(l.numHosts(), Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : l.numHosts(),
                g.sectorsPerArea() - DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR);
        for (int i = 0; i < slots; i++) {
            int off = (DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + i) * ss;
            if (detail >= 2) {
                Dblock d = Dblock.decode(area, off);
                if (d.mbal() != 0 || d.inp() != 0 || d.lver() != 0) {
                    b.append("dblock[").append(pad(Integer.toString(i), 4)).append("] mbal ").append(Long.toUnsignedString(d.mbal()))
                            .append(" bal ").append(Long.toUnsignedString(d.bal()))
                            .append(" inp ").append(Long.toUnsignedString(d.inp()))
                            .append(" inp2 ").append(Long.toUnsignedString(d.inp2()))
                            .append(" inp3 ").append(Long.toUnsignedString(d.inp3()))
                            .append(" lver ").append(Long.toUnsignedString(d.lver()))
                            .append(" sum ").append(Integer.toHexString(d.checksum())).append('\n');
                }
            }
            ModeBlock m = ModeBlock.decode(area, off);
            if (m.shared()) {
                b.append(SH_INDENT).append(pad(Integer.toString(i + 1), 4)).append(' ')
                        .append(pad(Long.toUnsignedString(m.generation()), 4)).append(" SH\n");
            }
        }
    }

    private static void rindexArea(StringBuilder b, ByteBuffer area, long pos, Geometry g, long detail) {
        RindexHeader h = RindexHeader.decode(area, 0);
        b.append(pad(Long.toUnsignedString(pos), 8)).append(' ').append(left(h.lockspaceName(), 36))
                .append(" rindex_header 0x").append(Integer.toHexString(h.flags())).append(' ').append(h.sectorSize())
                .append(' ').append(Integer.toUnsignedString(h.maxResources())).append(' ')
                .append(Long.toUnsignedString(h.rxOffset())).append('\n');
        if (detail >= 1) {
            int ss = g.sectorSize();
            for (int off = ss; off + DiskFormat.RINDEX_ENTRY_LEN <= g.alignSize(); off += DiskFormat.RINDEX_ENTRY_LEN) {
                RindexEntry e = RindexEntry.decode(area, off);
                if (e.isFree()) {
                    continue;
                }
                b.append(pad(Long.toUnsignedString(pos + off), 8)).append(' ').append(left(h.lockspaceName(), 36))
                        .append(" rentry ").append(e.name()).append(' ').append(Long.toUnsignedString(e.resOffset())).append('\n');
            }
        }
    }

    /** {@code %08llu %36s %48s %010llu %04llu %04llu} */
    private static void row(StringBuilder b, long offset, Leader l) {
        b.append(pad(Long.toUnsignedString(offset), 8)).append(' ').append(left(l.spaceName(), 36)).append(' ')
                .append(left(l.resourceName(), 48)).append(' ').append(pad(Long.toUnsignedString(l.timestamp()), 10))
                .append(' ').append(pad(Long.toUnsignedString(l.ownerId()), 4)).append(' ')
                .append(pad(Long.toUnsignedString(l.ownerGeneration()), 4));
    }

    /** Zero-padded to a minimum width, as %0Nllu. */
    private static String pad(String digits, int width) {
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    /** Right-aligned in a minimum width, as %Ns. */
    private static String left(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
