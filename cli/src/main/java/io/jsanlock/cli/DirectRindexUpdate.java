package io.jsanlock.cli;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.cli.client.RindexArgs;
import io.jsanlock.format.RindexEntry;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.direct.RindexArea;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;

import java.io.PrintStream;

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

    private static RindexArea read(DirectFileStorage s, SanlockOptions o, ResourceIndex rx) throws SanlockException {
        return RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), Storage.timeoutMillis(o));
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
            RindexArea ix = read(s, o, rx);
            int i = ix.indexOf(e.offset());
            RindexEntry now = ix.entry(i);
            if (remove && !now.isFree() && !e.name().isEmpty() && !now.name().equals(e.name())) {
                throw new SanlockException(SanlockError.ENOENT, "entry at offset " + e.offset() + " is " + now.name()
                        + ", not " + e.name());
            }
            ix.writeEntry(i, remove ? RindexEntry.FREE : new RindexEntry(e.offset(), 0, e.name()), Storage.timeoutMillis(o));
        }
    }

    /** Rewrites every entry from the leases found on storage (a paxos lease of the index's lockspace). */
    private static void rebuild(SanlockOptions o, ResourceIndex rx) throws SanlockException {
        try (DirectFileStorage s = Storage.openForWrite(rx.disk().path(), SanlockError.ENOENT)) {
            read(s, o, rx).rebuild(true, Storage.timeoutMillis(o));
        }
    }
}
