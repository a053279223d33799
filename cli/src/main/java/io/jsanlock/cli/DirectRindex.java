package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.RindexEntry;
import io.jsanlock.format.RindexHeader;
import io.jsanlock.format.RindexSpec;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.direct.LeaseAreas;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code direct format -x RINDEX [-Z -A]} and {@code direct lookup -x RINDEX
 * [-e NAME | -e :OFFSET]}: the resource index without a daemon (ondisk.md 7).
 */
final class DirectRindex {
    private DirectRindex() {
    }

    static int format(SanlockOptions o, PrintStream out, PrintStream err) {
        int rv = 0;
        try {
            RindexSpec rx = rindex(o);
            if (o.sectorSizeAlone()) {
                throw new SanlockException(SanlockError.EPERM, "-Z " + o.sectorSizeOption + " needs -A 1M|2M|4M|8M as well");
            }
            try (DirectFileStorage s = Storage.openForWrite(rx.path(), SanlockError.ENOENT)) {
                Geometry g = o.hasGeometry() ? o.geometry() : Geometry.legacy(s.sectorSize());
                LeaseAreas.checkPlacement(s, s.isBlockDevice(), g, rx.offset());
                LeaseAreas.checkPlacement(s, s.isBlockDevice(), g, rx.offset() + g.alignSize());
                LeaseAreas.formatRindex(s, rx.offset(), g, rx.lockspaceName(), RindexHeader.DEFAULT_MAX_RESOURCES,
                        Storage.timeoutMillis(o));
            }
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            rv = e.code();
        }
        out.println("format done " + rv);
        return rv == 0 ? 0 : 1;
    }

    static int lookup(SanlockOptions o, PrintStream out, PrintStream err) {
        int rv = 0;
        String found = null;
        try {
            RindexSpec rx = rindex(o);
            String e = o.raw.get('e');
            RindexSpec.Entry want = e == null ? new RindexSpec.Entry("", 0) : RindexSpec.Entry.parse(e);
            try (DirectFileStorage s = Storage.openForRead(rx.path(), SanlockError.ENOENT)) {
                long timeout = Storage.timeoutMillis(o);
                ByteBuffer first = ByteBuffer.allocate(4096);
                s.readFully(rx.offset(), first, timeout);
                RindexHeader h = RindexHeader.decode(first, 0);
                h.check(rx.lockspaceName(), rx.offset());
                Geometry g = h.geometry();
                ByteBuffer area = ByteBuffer.allocate(g.alignSize());
                s.readFully(rx.offset(), area, timeout);
                int max = Math.min(h.maxResources(), (g.alignSize() - g.sectorSize()) / DiskFormat.RINDEX_ENTRY_LEN);
                for (int i = 0; i < max && found == null; i++) {
                    RindexEntry en = RindexEntry.decode(area, g.sectorSize() + i * DiskFormat.RINDEX_ENTRY_LEN);
                    if (want.name().isEmpty() && want.offset() == 0) {
                        if (en.isFree()) {
                            found = "name - offset " + (rx.offset() + (2L + i) * g.alignSize());
                        }
                    } else if (!en.isFree() && (want.name().isEmpty() ? en.resOffset() == want.offset() : en.name().equals(want.name()))) {
                        if (!want.name().isEmpty() && want.offset() != 0 && want.offset() != en.resOffset()) {
                            throw new SanlockException(SanlockError.RINDEX_DIFF, "'" + en.name() + "' is at offset "
                                    + en.resOffset() + ", not " + want.offset());
                        }
                        found = "name " + (en.name().isEmpty() ? "-" : en.name()) + " offset " + en.resOffset();
                    }
                }
                if (found == null) {
                    throw new SanlockException(SanlockError.ENOENT, want.name().isEmpty() && want.offset() == 0
                            ? "the resource index is full" : "no entry for " + (want.name().isEmpty() ? "offset " + want.offset()
                                    : "'" + want.name() + "'") + " in the resource index");
                }
            }
        } catch (SanlockException e) {
            err.println("jsanlock: " + e.getMessage());
            rv = e.code();
        }
        out.println("lookup done " + rv);
        if (rv == 0) {
            out.println(found);
        }
        return rv == 0 ? 0 : 1;
    }

    private static RindexSpec rindex(SanlockOptions o) throws SanlockException {
        String x = o.raw.get('x');
        if (x == null) {
            throw new SanlockException(SanlockError.EINVAL, "needs -x RINDEX (<lockspace>:<path>:<offset>)");
        }
        RindexSpec rx = RindexSpec.parse(x);
        if (rx.path().isEmpty()) {
            throw new SanlockException(SanlockError.EINVAL, "RINDEX '" + x + "' has no path");
        }
        return rx;
    }
}
