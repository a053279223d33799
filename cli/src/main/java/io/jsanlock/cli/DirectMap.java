package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.cli.json.JsonWriter;
import io.jsanlock.format.CNumbers;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ModeBlock;
import io.jsanlock.format.Names;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.format.RindexEntry;
import io.jsanlock.format.RindexSpec;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.direct.RindexArea;
import io.jsanlock.lease.Timeouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code direct map -s LOCKSPACE [-r RESOURCE]… [-x RINDEX] [-W SECONDS] [--json]}
 * (jsanlock only, no daemon needed): who holds what in a lockspace, from storage alone.
 * Reads the lockspace area for a while to see which hosts renew (rule in
 * docs/cluster-map.md and {@link Liveness}), then each named resource's leader and mode
 * blocks, and prints every resource with its holders (EX from the leader, SH from the
 * mode blocks), their host names and whether they are live, for hosts of either daemon.
 */
final class DirectMap {
    /** Between two reads of the lockspace area while watching. */
    private static final long POLL_MILLIS = 1000;
    /** A watch longer than this is surely a typo (8N+W for N=255 is 2100 s). */
    private static final long MAX_WINDOW_SECONDS = 3600;

    private DirectMap() {
    }

    /** The parsed command line. */
    static final class Options {
        LockspaceSpec lockspace;
        final List<ResourceSpec> resources = new ArrayList<>();
        RindexSpec rindex;
        /** -W: the observation window in seconds; -1 = automatic. */
        long windowSeconds = -1;
        int ioTimeout;
        int sectorSize;
        long alignSize;
        boolean json;
        boolean help;
    }

    /** One host_id slot as watched. */
    record Slot(int hostId, Leader last, boolean valid, boolean seenChanging, long unchangedMillis, Liveness state) {
    }

    /** One holder of a resource lease. */
    record Holder(long hostId, long generation, String mode, Liveness state, String hostName) {
    }

    /** One resource lease as read. */
    record ResourceView(String name, String path, long offset, Leader leader, List<Holder> holders, SanlockException error) {
    }

    static int run(String[] args, int from, PrintStream out, PrintStream err) {
        Options o = new Options();
        String bad = parse(args, from, o);
        if (o.help) {
            out.print(usage());
            return 0;
        }
        if (bad != null) {
            err.println("direct map: " + bad);
            err.println("usage: jsanlock direct map -s LOCKSPACE [-r RESOURCE]... [-x RINDEX] [-W SECONDS] [--json]"
                    + " (jsanlock direct map -h)");
            return 1;
        }
        Map<String, DirectFileStorage> open = new LinkedHashMap<>();
        try {
            return map(o, open, out);
        } catch (SanlockException e) {
            err.println("direct map: " + e.getMessage() + " (" + e.code() + ")");
            return 1;
        } finally {
            for (DirectFileStorage s : open.values()) {
                s.close();
            }
        }
    }

    /** Parses args[from..]; returns what is wrong, or null. */
    static String parse(String[] args, int from, Options o) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                o.json = true;
                continue;
            }
            if (a.equals("-h") || a.equals("--help")) {
                o.help = true;
                return null;
            }
            if (a.length() != 2 || a.charAt(0) != '-' || "srxWoZA".indexOf(a.charAt(1)) < 0) {
                return "unknown option " + a;
            }
            if (i + 1 >= args.length) {
                return "option " + a + " needs a value";
            }
            String v = args[++i];
            switch (a.charAt(1)) {
                case 's' -> o.lockspace = LockspaceSpec.parse(v);
                case 'r' -> {
                    try {
                        o.resources.add(ResourceSpec.parse(v, ResourceSpec.Syntax.COMMAND_LINE));
                    } catch (SanlockException e) {
                        return "bad RESOURCE '" + v + "': " + e.getMessage() + " (" + e.code() + ")";
                    }
                }
                case 'x' -> o.rindex = RindexSpec.parse(v);
                case 'W' -> {
                    if (!v.matches("[0-9]{1,9}")) {
                        return "-W takes a number of seconds, not '" + v + "'";
                    }
                    o.windowSeconds = Long.parseLong(v);
                    if (o.windowSeconds > MAX_WINDOW_SECONDS) {
                        return "-W " + v + " is longer than " + MAX_WINDOW_SECONDS + " seconds";
                    }
                }
                case 'o' -> o.ioTimeout = (int) CNumbers.atoll(v);
                case 'Z' -> o.sectorSize = (int) CNumbers.atoll(v);
                case 'A' -> o.alignSize = Geometry.parseAlignOption(v);
                default -> throw new IllegalStateException();
            }
        }
        if (o.lockspace == null || o.lockspace.path().isEmpty()) {
            return "needs -s LOCKSPACE (<lockspace_name>:<host_id>:<path>:<offset>; the host_id is not used)";
        }
        if ((o.sectorSize != 0 || o.alignSize != 0) && !Geometry.valid(o.sectorSize, o.alignSize)) {
            return Geometry.invalidMessage(o.sectorSize, o.alignSize);
        }
        if (o.ioTimeout < 0 || o.ioTimeout > 255) {
            return "-o takes an io_timeout of 1..255 seconds";
        }
        if (o.rindex != null && o.rindex.path().isEmpty()) {
            return "RINDEX needs a path (<lockspace_name>:<path>:<offset>)";
        }
        for (ResourceSpec r : o.resources) {
            if (!Names.sameName(r.lockspaceName(), o.lockspace.name())) {
                return "resource " + r.name() + " is in lockspace " + r.lockspaceName() + ", not " + o.lockspace.name();
            }
        }
        return null;
    }

    private static int map(Options o, Map<String, DirectFileStorage> open, PrintStream out) throws SanlockException {
        Timeouts mine = Timeouts.of(o.ioTimeout);
        long ioMillis = mine.ioTimeout() * 1000L;
        LockspaceSpec ls = o.lockspace;
        DirectFileStorage s = storage(open, ls.path());
        Geometry g = o.sectorSize != 0 ? Geometry.of(o.sectorSize, o.alignSize) : lockspaceGeometry(s, ls, ioMillis);
        Watch w = watch(s, ls, g, mine, o.windowSeconds, ioMillis);
        List<ResourceView> views = new ArrayList<>();
        for (ResourceSpec r : o.resources) {
            views.add(resource(open, r.name(), r.disk().path(), r.disk().offset(), ls.name(), w, ioMillis));
        }
        if (o.rindex != null) {
            DirectFileStorage xs = storage(open, o.rindex.path());
            RindexArea rx = RindexArea.read(xs, o.rindex.offset(), o.rindex.lockspaceName(), ioMillis);
            for (int i = 0; i < rx.count(); i++) {
                RindexEntry e = rx.entry(i);
                if (!e.isFree()) {
                    views.add(resource(open, e.name(), o.rindex.path(), e.resOffset(), ls.name(), w, ioMillis));
                }
            }
        }
        if (o.json) {
            out.print(json(ls, g, w, views));
        } else {
            out.print(text(ls, g, w, views));
        }
        return 0;
    }

    private static DirectFileStorage storage(Map<String, DirectFileStorage> open, String path) throws SanlockException {
        DirectFileStorage s = open.get(path);
        if (s == null) {
            s = Storage.openForRead(path, SanlockError.ENOENT);
            open.put(path, s);
        }
        return s;
    }

    /** The sizes recorded in host 1's delta lease (every slot is written by init). */
    private static Geometry lockspaceGeometry(DirectFileStorage s, LockspaceSpec ls, long ioMillis) throws SanlockException {
        ByteBuffer b = ByteBuffer.allocate(Math.max(4096, s.sectorSize()));
        s.readFully(ls.offset(), b, ioMillis);
        Leader l = Leader.decodeDeltaChecked(b, 0, ls.name());
        return Geometry.fromLeader(l);
    }

    /** The slots as last read, and how long we watched. */
    record Watch(List<Slot> slots, long windowMillis, long watchedMillis, int reads) {
        Slot slot(long hostId) {
            for (Slot s : slots) {
                if (s.hostId() == hostId) {
                    return s;
                }
            }
            return null;
        }
    }

    /**
     * Reads the lockspace area once, then every second until every slot in use has
     * changed or the window is over. The window, unless given: 2N+2 s for the largest
     * io_timeout N among the slots in use (a host renews every 2N; the 2 s cover the
     * renewal's own I/O and our polling), so a healthy host is seen moving.
     */
    private static Watch watch(DirectFileStorage s, LockspaceSpec ls, Geometry g, Timeouts mine, long windowSeconds,
                               long ioMillis) throws SanlockException {
        int n = g.maxHosts();
        int ss = g.sectorSize();
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        long start = System.nanoTime();
        s.readFully(ls.offset(), area, ioMillis);
        Leader.decodeDeltaChecked(area, 0, ls.name());
        Leader[] first = new Leader[n];
        Leader[] last = new Leader[n];
        boolean[] valid = new boolean[n];
        long[] changedAt = new long[n];
        boolean[] changed = new boolean[n];
        long window = 0;
        for (int i = 0; i < n; i++) {
            first[i] = last[i] = Leader.decode(area, i * ss);
            valid[i] = validSlot(area, i * ss, ls.name());
            if (valid[i] && first[i].timestamp() != 0) {
                window = Math.max(window, 2 * mine.forStored(first[i].ioTimeout()).ioTimeout() + 2);
            }
        }
        long windowMillis = (windowSeconds >= 0 ? windowSeconds : window) * 1000;
        long lastRead = 0;
        int reads = 1;
        while (!allChanged(first, changed) && lastRead < windowMillis) {
            long next = Math.min(lastRead + POLL_MILLIS, windowMillis);
            sleepUntil(start, next);
            area.clear();
            s.readFully(ls.offset(), area, ioMillis);
            reads++;
            lastRead = (System.nanoTime() - start) / 1_000_000;
            for (int i = 0; i < n; i++) {
                Leader l = Leader.decode(area, i * ss);
                if (l.ownerId() != last[i].ownerId() || l.ownerGeneration() != last[i].ownerGeneration()
                        || l.timestamp() != last[i].timestamp()) {
                    changed[i] = true;
                    changedAt[i] = lastRead;
                }
                last[i] = l;
                valid[i] = validSlot(area, i * ss, ls.name());
            }
        }
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Leader l = last[i];
            boolean used = l.ownerId() != 0 || l.ownerGeneration() != 0 || l.timestamp() != 0 || changed[i];
            if (!used) {
                continue;
            }
            long unchanged = lastRead - changedAt[i];
            Liveness state = !valid[i] ? Liveness.INVALID
                    : Liveness.classify(l.timestamp(), changed[i], unchanged, mine.forStored(l.ioTimeout()));
            slots.add(new Slot(i + 1, l, valid[i], changed[i], unchanged, state));
        }
        return new Watch(slots, windowMillis, lastRead, reads);
    }

    private static boolean validSlot(ByteBuffer area, int off, String lockspace) {
        try {
            Leader.decodeDeltaChecked(area, off, lockspace);
            return true;
        } catch (SanlockException e) {
            return false;
        }
    }

    /** True when every slot in use at the first read has since changed. */
    private static boolean allChanged(Leader[] first, boolean[] changed) {
        for (int i = 0; i < first.length; i++) {
            if (first[i].timestamp() != 0 && first[i].magic() == DiskFormat.DELTA_DISK_MAGIC && !changed[i]) {
                return false;
            }
        }
        return true;
    }

    private static void sleepUntil(long start, long millis) {
        long left;
        while ((left = millis - (System.nanoTime() - start) / 1_000_000) > 0) {
            try {
                Thread.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static ResourceView resource(Map<String, DirectFileStorage> open, String name, String path, long offset,
                                         String lockspace, Watch w, long ioMillis) {
        try {
            DirectFileStorage s = storage(open, path);
            ByteBuffer head = ByteBuffer.allocate(Math.max(4096, s.sectorSize()));
            s.readFully(offset, head, ioMillis);
            Leader l = Leader.decodePaxosChecked(head, 0, lockspace, name, 0);
            Geometry g = Geometry.fromLeader(l);
            ByteBuffer area = ByteBuffer.allocate(g.alignSize());
            s.readFully(offset, area, ioMillis);
            List<Holder> holders = new ArrayList<>();
            if (l.timestamp() != 0 && l.ownerId() != 0) {
                holders.add(holder(l.ownerId(), l.ownerGeneration(), "EX", w));
            }
            long slots = Math.min(Long.compareUnsigned(l.numHosts(), Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : l.numHosts(),
                    g.sectorsPerArea() - DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR);
            for (int i = 0; i < slots; i++) {
                ModeBlock m = ModeBlock.decode(area, (DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + i) * g.sectorSize());
                if (m.shared()) {
                    holders.add(holder(i + 1, m.generation(), "SH", w));
                }
            }
            return new ResourceView(name, path, offset, l, holders, null);
        } catch (SanlockException e) {
            return new ResourceView(name, path, offset, null, List.of(), e);
        }
    }

    /**
     * A holder's liveness is its host's, except that a host id slot now free or showing a
     * newer generation means the holding incarnation is gone (sanlock's host_live, 2.6).
     */
    private static Holder holder(long hostId, long generation, String mode, Watch w) {
        Slot s = w.slot(hostId);
        if (s == null) {
            return new Holder(hostId, generation, mode, Liveness.DEAD, "");
        }
        Liveness state = s.state();
        if (state == Liveness.FREE || state != Liveness.INVALID && Long.compareUnsigned(s.last().ownerGeneration(), generation) > 0) {
            state = Liveness.DEAD;
        }
        return new Holder(hostId, generation, mode, state, s.last().resourceName());
    }

    private static String text(LockspaceSpec ls, Geometry g, Watch w, List<ResourceView> views) {
        StringBuilder b = new StringBuilder(2048);
        b.append("lockspace ").append(ls.name()).append(' ').append(ls.path()).append(':').append(ls.offset())
                .append(" sector ").append(g.sectorSize()).append(" align ").append(g.alignSize())
                .append(" watched ").append(seconds(w.watchedMillis())).append(" s of ").append(seconds(w.windowMillis()))
                .append(" s, ").append(w.reads()).append(" reads\n");
        b.append(right("host", 4)).append(' ').append(right("gen", 4)).append(' ').append(right("timestamp", 10)).append(' ')
                .append(right("io", 3)).append(' ').append(left("state", 7)).append(' ').append(right("unchanged", 9))
                .append(" name\n");
        for (Slot s : w.slots()) {
            Leader l = s.last();
            b.append(pad(Integer.toString(s.hostId()), 4)).append(' ').append(pad(Long.toUnsignedString(l.ownerGeneration()), 4))
                    .append(' ').append(pad(Long.toUnsignedString(l.timestamp()), 10)).append(' ')
                    .append(right(Integer.toString(l.ioTimeout() & 0xFF), 3)).append(' ').append(left(s.state().label(), 7))
                    .append(' ').append(right(seconds(s.unchangedMillis()), 9)).append(' ').append(l.resourceName()).append('\n');
        }
        b.append('\n');
        b.append(right("offset", 8)).append(' ').append(right("resource", 48)).append(' ').append(right("lver", 4)).append(' ')
                .append(right("own", 4)).append(' ').append(right("gen", 4)).append(' ').append(left("mode", 4)).append(' ')
                .append(left("state", 7)).append(" name\n");
        String indent = " ".repeat(8 + 1 + 48 + 1 + 4);
        for (ResourceView v : views) {
            b.append(pad(Long.toUnsignedString(v.offset()), 8)).append(' ').append(right(v.name(), 48));
            if (v.error() != null) {
                b.append(" error ").append(v.error().code()).append(' ').append(v.error().getMessage()).append('\n');
                continue;
            }
            b.append(' ').append(pad(Long.toUnsignedString(v.leader().lver()), 4));
            if (v.holders().isEmpty()) {
                b.append(' ').append(right("-", 4)).append(' ').append(right("-", 4)).append(' ').append(left("-", 4))
                        .append(' ').append("free\n");
                continue;
            }
            boolean firstHolder = true;
            for (Holder h : v.holders()) {
                if (!firstHolder) {
                    b.append(indent);
                }
                firstHolder = false;
                b.append(' ').append(pad(Long.toUnsignedString(h.hostId()), 4)).append(' ')
                        .append(pad(Long.toUnsignedString(h.generation()), 4)).append(' ').append(left(h.mode(), 4)).append(' ')
                        .append(left(h.state().label(), 7)).append(' ').append(h.hostName()).append('\n');
            }
        }
        return b.toString();
    }

    private static String json(LockspaceSpec ls, Geometry g, Watch w, List<ResourceView> views) {
        JsonWriter j = new JsonWriter().beginObject().member("command", "direct map");
        j.name("lockspace").beginObject().bytes("name", ls.name()).bytes("path", ls.path()).member("offset", ls.offset())
                .member("sector_size", g.sectorSize()).member("align_size", g.alignSize()).endObject();
        j.name("observation").beginObject().member("window_ms", w.windowMillis()).member("watched_ms", w.watchedMillis())
                .member("reads", w.reads()).endObject();
        j.name("hosts").beginArray();
        for (Slot s : w.slots()) {
            Leader l = s.last();
            j.beginObject().member("host_id", s.hostId()).memberUnsigned("owner_id", l.ownerId())
                    .memberUnsigned("generation", l.ownerGeneration()).memberUnsigned("timestamp", l.timestamp())
                    .member("io_timeout", l.ioTimeout() & 0xFF).bytes("name", l.resourceName())
                    .member("state", s.state().label()).member("seen_changing", s.seenChanging())
                    .member("unchanged_ms", s.unchangedMillis()).endObject();
        }
        j.endArray();
        j.name("resources").beginArray();
        for (ResourceView v : views) {
            j.beginObject().bytes("name", v.name()).bytes("path", v.path()).memberUnsigned("offset", v.offset());
            if (v.error() != null) {
                j.name("error").beginObject().member("code", v.error().code()).member("message", v.error().getMessage())
                        .endObject();
            } else {
                Leader l = v.leader();
                j.memberUnsigned("lver", l.lver()).memberUnsigned("timestamp", l.timestamp())
                        .memberUnsigned("owner_id", l.ownerId()).memberUnsigned("owner_generation", l.ownerGeneration());
                j.name("holders").beginArray();
                for (Holder h : v.holders()) {
                    j.beginObject().memberUnsigned("host_id", h.hostId()).memberUnsigned("generation", h.generation())
                            .member("mode", h.mode()).member("state", h.state().label()).bytes("host_name", h.hostName())
                            .endObject();
                }
                j.endArray();
            }
            j.endObject();
        }
        j.endArray().endObject();
        return j.toString();
    }

    private static String seconds(long millis) {
        return millis / 1000 + "." + (millis % 1000) / 100;
    }

    private static String pad(String digits, int width) {
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    private static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    private static String left(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** {@code jsanlock direct map -h}: the usage and the liveness rule. */
    static String usage() {
        try (InputStream in = DirectMap.class.getResourceAsStream("map-usage.txt")) {
            if (in == null) {
                throw new IllegalStateException("map-usage.txt missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read map-usage.txt", e);
        }
    }
}
