package io.jsanlock.cli;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.CNumbers;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.Names;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.lease.BufferPool;
import io.jsanlock.lease.DeltaLease;
import io.jsanlock.lease.LeaseStorage;
import io.jsanlock.lease.PaxosLease;
import io.jsanlock.lease.PaxosLeaseFactory;
import io.jsanlock.lease.Timeouts;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * sanlock's hidden direct actions (wire.md 7.6), run on the storage without a daemon
 * with the lease algorithms of the daemon ({@link DeltaLease}, {@link PaxosLease}):
 * {@code acquire_id}, {@code renew_id}, {@code release_id} on a host's delta lease,
 * {@code acquire} and {@code release} of a resource lease, {@code write_leader} from a
 * text file, and {@code next_free}. Output, exit status and bytes written are the
 * reference's, observed on sanlock 3.8.5; where the reference reads uninitialised
 * memory or crashes, jsanlock gives a defined answer (noted per action).
 */
final class DirectLeases {
    private DirectLeases() {
    }

    private static LogRing log() {
        return new LogRing(MonotonicClock.SYSTEM, 64);
    }

    private static int done(PrintStream out, PrintStream err, String label, SanlockException e) {
        if (e != null) {
            err.println("jsanlock: " + e.getMessage());
        }
        int rv = e == null ? 0 : e.code();
        out.println(label + " done " + rv);
        return rv == 0 ? 0 : 1;
    }

    // ------------------------------------------------------------ delta leases

    /** {@code direct acquire_id|renew_id|release_id -s LS:ID:PATH:OFF [-e NAME] [-o N]}. */
    static int hostId(String action, SanlockOptions o, PrintStream out, PrintStream err) {
        // the reference's renew_id prints "rewew_id" (sic)
        String label = action.equals("renew_id") ? "rewew_id" : action;
        try {
            LockspaceSpec ls = o.lockspace;
            if (ls == null || ls.path().isEmpty()) {
                throw new SanlockException(SanlockError.ENODEV, action + " needs -s <lockspace>:<host_id>:<path>:<offset>");
            }
            if (ls.hostId() <= 0) {
                throw new SanlockException(SanlockError.EINVAL, "host_id " + ls.hostId() + " is invalid: host ids start at 1");
            }
            try (DirectFileStorage s = Storage.openLockspace(ls.path(), DirectFileStorage.Access.READ_WRITE)) {
                Geometry g = DirectReadLeader.geometry(o, s, ls.offset());
                Timeouts mine = Timeouts.of(o.ioTimeout <= 0 ? 0 : o.ioTimeout & 0xFF);
                LeaseStorage disk = LeaseStorage.of(s);
                if (ls.hostId() > g.maxHosts()) {
                    // the reference reads "the slot" past the host slots and fails its checks there
                    checkSlotBeyondArea(s, g, ls, mine);
                }
                String name = o.raw.containsKey('e') ? Names.truncate(o.raw.get('e'))
                        : io.jsanlock.daemon.DaemonOptions.defaultHostName();
                if (name.length() > DiskFormat.NAME_LEN - 1) {
                    name = name.substring(0, DiskFormat.NAME_LEN - 1);
                }
                DeltaLease reader = new DeltaLease(disk, ls.offset(), g, ls.name(), ls.hostId(), name.isEmpty() ? "-" : name,
                        mine, MonotonicClock.SYSTEM, log());
                if (action.equals("acquire_id")) {
                    reader.join(() -> false);
                } else {
                    Leader slot = reader.readSlot(ls.hostId());
                    if (slot.ownerId() != ls.hostId()) {
                        throw new SanlockException(SanlockError.EINVAL, "host_id " + ls.hostId() + " of " + ls.name()
                                + " is owned by host " + slot.ownerId() + ", not by " + ls.hostId());
                    }
                    // renew and release act on the slot as it is, whoever's name is in it
                    String holder = slot.resourceName().isEmpty() ? name : slot.resourceName();
                    DeltaLease d = new DeltaLease(disk, ls.offset(), g, ls.name(), ls.hostId(), holder, mine,
                            MonotonicClock.SYSTEM, log());
                    d.adopt(slot);
                    if (action.equals("renew_id")) {
                        d.renew(null, null, null);
                    } else {
                        d.release();
                    }
                }
            }
            return done(out, err, label, null);
        } catch (SanlockException e) {
            return done(out, err, label, e);
        }
    }

    private static void checkSlotBeyondArea(DirectFileStorage s, Geometry g, LockspaceSpec ls, Timeouts t)
            throws SanlockException {
        ByteBuffer b = ByteBuffer.allocate(g.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
        LeaseStorage.of(s).read(ls.offset() + (ls.hostId() - 1) * g.sectorSize(), b, t.ioTimeoutNanos());
        Leader.decodeDeltaChecked(b, 0, ls.name());
        throw new SanlockException(SanlockError.LEADER_MAGIC, "host_id " + ls.hostId() + " is above the "
                + g.maxHosts() + " slots of " + ls.name());
    }

    // ------------------------------------------------------------ resource leases

    /**
     * {@code direct acquire -r RES -i HOST_ID -g GEN} and {@code direct release -r RES}.
     * The reference crashes (SIGSEGV) without -r; jsanlock answers -22.
     */
    static int resource(String action, SanlockOptions o, PrintStream out, PrintStream err) {
        try {
            if (o.resources.isEmpty()) {
                throw new SanlockException(SanlockError.EINVAL, action + " needs -r <lockspace>:<resource>:<path>:<offset>");
            }
            ResourceSpec r = o.resources.get(0);
            if (r.disks().isEmpty()) {
                throw new SanlockException(SanlockError.ENOENT, "resource '" + r.name() + "' names no path and offset");
            }
            ResourceSpec.Disk d = r.disk();
            try (DirectFileStorage s = Storage.openForWrite(d.path(), SanlockError.ENOENT)) {
                Timeouts mine = Timeouts.of(o.ioTimeout <= 0 ? 0 : o.ioTimeout & 0xFF);
                Geometry g;
                try {
                    g = DirectReadLeader.geometry(o, s, d.offset());
                } catch (SanlockException e) {
                    if (action.equals("acquire") || e.code() != SanlockError.EPERM.code()) {
                        throw e;
                    }
                    // release reads one device sector when the area start tells no sizes
                    g = Geometry.legacy(s.sectorSize());
                }
                PaxosLease p = new PaxosLeaseFactory(MonotonicClock.SYSTEM, log(), new Random(), new BufferPool(1))
                        .open(LeaseStorage.of(s), d.offset(), g, r.lockspaceName(), r.name());
                if (action.equals("acquire")) {
                    long hostId = o.raw.containsKey('i') ? CNumbers.strtoull0(o.raw.get('i')) : 0;
                    long gen = o.raw.containsKey('g') ? CNumbers.strtoull0(o.raw.get('g')) : 0;
                    p.acquire(new PaxosLease.Token(hostId, gen, mine), PaxosLease.Options.EXCLUSIVE, null);
                } else {
                    // The reference's direct release has no acquire state to compare with: it
                    // checks the leader and writes nothing.
                    p.readLeader(mine);
                }
            }
            return done(out, err, action, null);
        } catch (SanlockException e) {
            return done(out, err, action, e);
        }
    }

    // ------------------------------------------------------------ write_leader

    private static final String[] HEX_FIELDS = {"magic", "version", "flags", "checksum"};

    /**
     * {@code direct write_leader -s LS | -r RES -F FILE [-f 1]}: the leader read_leader
     * would print (zeros when nothing can be read), with the fields named in FILE
     * ({@code name value} lines, read_leader's names) replaced, written in one sector of
     * its own sector_size. Observed reference behaviour kept: -f changes only the
     * message (the generated checksum is written); a delta leader (-s) gets the current
     * wall-clock second in its checksum field. Where the reference starts from
     * uninitialised memory (a lease file too short to read), jsanlock starts from zeros.
     */
    static int writeLeader(SanlockOptions o, PrintStream out, PrintStream err) {
        String file = o.raw.get('F');
        if (file == null) {
            out.println("open error 14 (null)");
            return 1;
        }
        byte[] text;
        try {
            Path p = Path.of(file);
            text = Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p);
        } catch (IOException | RuntimeException e) {
            int errno = e instanceof java.nio.file.NoSuchFileException ? 2
                    : e instanceof java.nio.file.AccessDeniedException ? 13 : 5;
            out.println("open error " + errno + " " + file);
            return 1;
        }
        Leader l = o.lockspace != null || !o.resources.isEmpty() ? DirectReadLeader.readForRewrite(o) : DirectReadLeader.ZERO;
        long[] given = {0};
        l = applyFields(l, new String(text, StandardCharsets.ISO_8859_1), given, out);
        ByteBuffer scratch = ByteBuffer.allocate(DiskFormat.LEADER_RECORD_MAX).order(ByteOrder.LITTLE_ENDIAN);
        int generated = l.encode(scratch, 0);
        if (o.force != 0) {
            out.println("warning: using specified checksum " + Integer.toHexString((int) given[0]) + " (generated is "
                    + Integer.toHexString(generated) + ")");
        } else {
            out.println("use new generated checksum " + Integer.toHexString(generated));
        }
        l = l.withChecksum(generated);
        try {
            write(o, l);
        } catch (SanlockException e) {
            return done(out, err, "write_leader", e);
        }
        out.println("write_leader done 0");
        DirectReadLeader.print(out, l, o.lockspace != null);
        return 0;
    }

    private static void write(SanlockOptions o, Leader l) throws SanlockException {
        int ss = l.sectorSize();
        boolean delta = o.lockspace != null;
        if (!delta && o.resources.isEmpty()) {
            throw new SanlockException(SanlockError.EPERM, "write_leader needs -s LOCKSPACE or -r RESOURCE");
        }
        ResourceSpec.Disk disk = delta ? null : o.resources.get(0).disks().isEmpty() ? null : o.resources.get(0).disk();
        if (delta && o.lockspace.path().isEmpty() || !delta && disk == null) {
            throw new SanlockException(delta ? SanlockError.ENODEV : SanlockError.ENOENT, "no path to write to");
        }
        long offset;
        // the storage is opened first: a missing path is reported before a bad sector_size
        try (DirectFileStorage s = delta ? Storage.openLockspace(o.lockspace.path(), DirectFileStorage.Access.READ_WRITE)
                : Storage.openForWrite(disk.path(), SanlockError.ENOENT)) {
            if (ss != 512 && ss != 4096) {
                throw new SanlockException(SanlockError.EINVAL, "the leader's sector_size " + Integer.toUnsignedString(ss)
                        + " is not 512 or 4096");
            }
            if (delta && o.lockspace.hostId() <= 0) {
                throw new SanlockException(SanlockError.EINVAL, "host_id " + o.lockspace.hostId() + " is invalid");
            }
            ByteBuffer b = ByteBuffer.allocate(ss).order(ByteOrder.LITTLE_ENDIAN);
            l.encode(b, 0);
            if (delta) {
                // observed: the reference stores time(NULL) where a delta leader's checksum goes
                b.putInt(Leader.OFF_CHECKSUM, (int) (System.currentTimeMillis() / 1000L));
                offset = o.lockspace.offset() + (o.lockspace.hostId() - 1) * ss;
            } else {
                offset = disk.offset();
            }
            b.clear();
            s.write(offset, b, Storage.timeoutMillis(o));
        }
    }

    /** Applies {@code name value} lines as the reference parses them (sscanf "%s %s"). */
    static Leader applyFields(Leader l, String text, long[] givenChecksum, PrintStream out) {
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            String line = text.substring(start, end);
            start = end;
            String[] tok = tokens(line);
            if (tok == null) {
                out.println("ignore line: \"" + line + "\"");
                continue;
            }
            String f = tok[0];
            String v = tok[1];
            boolean hex = java.util.Arrays.asList(HEX_FIELDS).contains(f);
            Long hv = hex ? hexValue(v) : null;
            long n = hex ? 0 : strtoull10(v);
            switch (f) {
                case "magic" -> l = hv == null ? l : l.withMagic((int) (long) hv);
                case "version" -> l = hv == null ? l : new Leader(l.magic(), (int) (long) hv, l.flags(), l.sectorSize(),
                        l.numHosts(), l.maxHosts(), l.ownerId(), l.ownerGeneration(), l.lver(), l.spaceName(),
                        l.resourceName(), l.timestamp(), l.checksum(), l.ioTimeout(), l.writeId(), l.writeGeneration(),
                        l.writeTimestamp());
                case "flags" -> l = hv == null ? l : l.withFlags((int) (long) hv);
                case "checksum" -> givenChecksum[0] = hv == null ? givenChecksum[0] : hv & 0xFFFFFFFFL;
                case "sector_size" -> l = copy(l, 0, (int) n);
                case "num_hosts" -> l = l.withNumHosts(n);
                case "max_hosts" -> l = copy(l, 1, n);
                case "owner_id" -> l = l.withOwner(n, l.ownerGeneration(), l.timestamp());
                case "owner_generation" -> l = l.withOwner(l.ownerId(), n, l.timestamp());
                case "lver" -> l = l.withLver(n);
                case "space_name" -> l = copySpace(l, Names.truncate(v));
                case "resource_name" -> l = l.withResourceName(Names.truncate(v));
                case "timestamp" -> l = l.withTimestamp(n);
                case "io_timeout" -> l = l.withIoTimeout((int) (n & 0xFFFF));
                case "write_id" -> l = l.withWrite(n, l.writeGeneration(), l.writeTimestamp());
                case "write_generation" -> l = l.withWrite(l.writeId(), n, l.writeTimestamp());
                case "write_timestamp" -> l = l.withWrite(l.writeId(), l.writeGeneration(), n);
                default -> out.println("ignore field: \"" + f + "\"");
            }
        }
        return l;
    }

    private static Leader copy(Leader l, int which, long v) {
        return new Leader(l.magic(), l.version(), l.flags(), which == 0 ? (int) v : l.sectorSize(), l.numHosts(),
                which == 1 ? v : l.maxHosts(), l.ownerId(), l.ownerGeneration(), l.lver(), l.spaceName(), l.resourceName(),
                l.timestamp(), l.checksum(), l.ioTimeout(), l.writeId(), l.writeGeneration(), l.writeTimestamp());
    }

    private static Leader copySpace(Leader l, String space) {
        return new Leader(l.magic(), l.version(), l.flags(), l.sectorSize(), l.numHosts(), l.maxHosts(), l.ownerId(),
                l.ownerGeneration(), l.lver(), space, l.resourceName(), l.timestamp(), l.checksum(), l.ioTimeout(),
                l.writeId(), l.writeGeneration(), l.writeTimestamp());
    }

    /** The first two whitespace-separated words of a line, or null when it has fewer. */
    private static String[] tokens(String line) {
        String[] t = new String[2];
        int i = 0;
        for (int k = 0; k < 2; k++) {
            while (i < line.length() && isSpace(line.charAt(i))) {
                i++;
            }
            int b = i;
            while (i < line.length() && !isSpace(line.charAt(i))) {
                i++;
            }
            if (b == i) {
                return null;
            }
            t[k] = line.substring(b, i);
        }
        return t;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /** sscanf "0x%x": null unless the value starts with "0x" and a hex digit; saturates like strtoul. */
    private static Long hexValue(String v) {
        if (!v.startsWith("0x") || v.length() < 3 || Character.digit(v.charAt(2), 16) < 0) {
            return null;
        }
        long n = 0;
        for (int i = 2; i < v.length(); i++) {
            int d = Character.digit(v.charAt(i), 16);
            if (d < 0) {
                break;
            }
            if (Long.compareUnsigned(n, 0x0FFFFFFFFFFFFFFFL) > 0) {
                return -1L;
            }
            n = n * 16 + d;
        }
        return n;
    }

    /** C's strtoull(v, NULL, 10): optional sign, saturation at 2^64-1, a minus negates. */
    static long strtoull10(String v) {
        int i = 0;
        boolean neg = false;
        if (i < v.length() && (v.charAt(i) == '+' || v.charAt(i) == '-')) {
            neg = v.charAt(i) == '-';
            i++;
        }
        long n = 0;
        boolean over = false;
        for (; i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9'; i++) {
            int d = v.charAt(i) - '0';
            if (Long.compareUnsigned(n, Long.divideUnsigned(-1L - d, 10)) > 0) {
                over = true;
            }
            n = n * 10 + d;
        }
        if (over) {
            return -1L;
        }
        return neg ? -n : n;
    }

    // ------------------------------------------------------------ next_free

    /**
     * {@code direct next_free PATH[:OFFSET] [-Z -A]}: reads one sector at each area
     * boundary from OFFSET on and prints how far past OFFSET the first area without a
     * lockspace, resource or rindex leader starts (a failed or short read counts as free).
     * Without -Z and -A the reference sizes its buffer from uninitialised memory (it prints
     * 0 or fails at random, reading nothing); jsanlock takes the sizes from the leader at
     * OFFSET, else the device's sector size with its usual align size.
     */
    static int nextFree(String target, SanlockOptions o, PrintStream out, PrintStream err) {
        String[] parts = DirectDump.splitTarget(target);
        long offset = parts.length > 1 ? CNumbers.atoll(parts[1]) : 0;
        DirectFileStorage s;
        try {
            s = Storage.openForRead(parts[0], SanlockError.ENOENT);
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            return 1;
        }
        try (s) {
            Geometry g;
            if (o.hasGeometry()) {
                g = o.geometry();
            } else {
                try {
                    g = DirectReadLeader.geometry(o, s, offset);
                } catch (SanlockException e) {
                    g = Geometry.legacy(s.sectorSize());
                }
            }
            long pos = offset;
            ByteBuffer b = ByteBuffer.allocate(g.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
            while (true) {
                if (pos < 0 || pos % s.sectorSize() != 0) {
                    break;
                }
                b.clear();
                int got;
                try {
                    got = s.read(pos, b, Storage.timeoutMillis(o));
                } catch (SanlockException e) {
                    break;
                }
                if (got < g.sectorSize()) {
                    break;
                }
                int magic = Leader.magicAt(b, 0);
                if (magic != DiskFormat.DELTA_DISK_MAGIC && magic != DiskFormat.PAXOS_DISK_MAGIC
                        && magic != DiskFormat.RINDEX_DISK_MAGIC) {
                    break;
                }
                pos += g.alignSize();
            }
            out.println(pos - offset);
            return 0;
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            return 1;
        }
    }
}
