package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.RindexEntry;
import io.jsanlock.format.RindexHeader;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.direct.DirectStorage;
import io.jsanlock.direct.LeaseAreas;
import io.jsanlock.direct.RindexArea;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceFlags;
import io.jsanlock.wire.ResourceIndex;
import io.jsanlock.wire.Resource;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resource-index worker commands (wire.md 4.18; layout ondisk.md 7): FORMAT_RINDEX,
 * UPDATE_RINDEX, LOOKUP_RINDEX, CREATE_RESOURCE, DELETE_RESOURCE and REBUILD_RINDEX.
 *
 * <p>Result codes and the order of the checks follow what sanlock 3.8.5's daemon answers:
 * the lockspace named in the index must be joined here (-2; not for FORMAT, nor for
 * UPDATE/LOOKUP/REBUILD with RX_NO_LOCKSPACE), then the file must open (-2), then the
 * header must be this index's (-274 … -277), then the entry's arguments are checked
 * (-22 missing, -277 an offset that no entry of the index describes).
 *
 * <p>CREATE, DELETE and REBUILD change the index under its internal {@code rindex_lease},
 * acquired as a normal paxos lease of this host through the lease backend, so that two
 * hosts never pick the same free entry or interleave their read-modify-writes of an
 * entry sector. UPDATE does not take it (neither does the reference: it is the caller's
 * own bookkeeping, e.g. after {@code direct init -r}). Within this daemon only one index
 * operation runs per lockspace at a time; another gets -16, as on the reference.
 */
final class RindexCommands {
    /** Per-I/O timeout, as for the other storage commands. */
    private static final long TIMEOUT_MILLIS = DaemonStorage.TIMEOUT_MILLIS;

    private final LeaseBackend backend;
    private final DaemonLog log;
    private final MonotonicClock clock;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    RindexCommands(LeaseBackend backend, DaemonLog log, MonotonicClock clock) {
        this.backend = backend;
        this.log = log;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ commands

    /**
     * FORMAT_RINDEX: header area and internal lease written fresh. No lockspace needed.
     * The offset only has to be a multiple of the device's sector size (the reference
     * formats at 512 and refuses 100 with -22).
     */
    void format(ResourceIndex rx) throws SanlockException {
        Disk disk = rx.disk();
        try (DirectFileStorage s = open(disk.path())) {
            // RIF flags have the resource flags' values, and the same checks
            Geometry g = DaemonStorage.requestedGeometry(rx.flags(), s);
            long off = disk.offset();
            if (off < 0 || off % s.sectorSize() != 0) {
                throw new SanlockException(SanlockError.EINVAL, "rindex offset " + off + " is not a multiple of the "
                        + s.sectorSize() + "-byte sectors of " + disk.path());
            }
            if (g.sectorSize() % s.sectorSize() != 0) {
                throw new SanlockException(SanlockError.EINVAL, "sector size " + g.sectorSize() + " is smaller than the "
                        + s.sectorSize() + "-byte sectors of " + disk.path());
            }
            if (s.isBlockDevice() && off + 2L * g.alignSize() > s.size()) {
                throw new SanlockException(SanlockError.EMSGSIZE, disk.path() + " has " + s.size()
                        + " bytes, too small for a resource index at " + off);
            }
            int max = rx.maxResources() == 0 ? RindexHeader.DEFAULT_MAX_RESOURCES
                    : Math.min(rx.maxResources(), (g.alignSize() - g.sectorSize()) / DiskFormat.RINDEX_ENTRY_LEN);
            log.info("rindex_format " + rx.lockspaceName() + ":" + disk.path() + ":" + off + " " + g + " max_res " + max);
            LeaseAreas.formatRindex(s, off, g, rx.lockspaceName(), max, TIMEOUT_MILLIS);
        }
    }

    /**
     * LOOKUP_RINDEX. Name only: its entry (-2 when none). Offset only: the slot of that
     * lease, reported with the offset asked for (name empty when free). Both: -278 unless
     * the slot of that offset carries that name. Neither: the first free lease offset (-2
     * when full). An offset must be aligned (-277).
     */
    ResourceEntry lookup(ResourceIndex rx, ResourceEntry want, int cmdFlags) throws SanlockException {
        boolean joined = (cmdFlags & CommandFlags.RX_NO_LOCKSPACE) == 0;
        return exclusive(rx, joined, () -> {
            try (DirectFileStorage s = open(rx.disk().path())) {
                RindexArea ix = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                if (want.name().isEmpty() && want.offset() == 0) {
                    int i = ix.firstFree();
                    if (i < 0) {
                        throw new SanlockException(SanlockError.ENOENT, "resource index is full");
                    }
                    return new ResourceEntry("", ix.leaseOffset(i), 0);
                }
                if (want.offset() != 0) {
                    int at = slot(ix, want.offset());
                    if (want.name().isEmpty()) {
                        return new ResourceEntry(ix.entry(at).name(), want.offset(), 0);
                    }
                    // name and offset: the entry at that offset must carry that name
                    if (!ix.entry(at).name().equals(want.name())) {
                        throw new SanlockException(SanlockError.RINDEX_DIFF, "the entry for offset " + want.offset()
                                + " is not " + want.name());
                    }
                    return new ResourceEntry(want.name(), want.offset(), 0);
                }
                int i = ix.find(want.name());
                if (i < 0) {
                    throw new SanlockException(SanlockError.ENOENT, "no entry for " + want.name());
                }
                RindexEntry e = ix.entry(i);
                return new ResourceEntry(e.name(), e.resOffset(), 0);
            }
        });
    }

    /**
     * UPDATE_RINDEX: RXUP_ADD writes {offset, name} into the entry of the lease at offset
     * (name and offset required, -22); RXUP_REM frees that entry whatever name it has
     * (offset required). Not under the internal lease (see the class comment). Returns
     * the entry written.
     */
    ResourceEntry update(ResourceIndex rx, ResourceEntry e, int cmdFlags) throws SanlockException {
        boolean joined = (cmdFlags & CommandFlags.RX_NO_LOCKSPACE) == 0;
        boolean add = (cmdFlags & CommandFlags.RXUP_ADD) != 0;
        boolean remove = (cmdFlags & CommandFlags.RXUP_REM) != 0;
        return exclusive(rx, joined, () -> {
            try (DirectFileStorage s = open(rx.disk().path())) {
                RindexArea ix = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                if (add == remove || e.offset() == 0 || (add && e.name().isEmpty())) {
                    throw new SanlockException(SanlockError.EINVAL, "update needs " + (add == remove
                            ? "one of RXUP_ADD, RXUP_REM" : add ? "a name and an offset" : "an offset"));
                }
                int i = slot(ix, e.offset());
                ix.writeEntry(i, add ? new RindexEntry(e.offset(), 0, e.name()) : RindexEntry.FREE, TIMEOUT_MILLIS);
                log.info("rindex_update " + (add ? "add " : "rem ") + e.name() + " " + e.offset() + " entry " + i);
                // the reply carries the entry as written, as the reference's does (zeros after a removal)
                return add ? new ResourceEntry(e.name(), e.offset(), 0) : ResourceEntry.EMPTY;
            }
        });
    }

    /**
     * CREATE_RESOURCE: under rindex_lease, the lowest free entry i gets a fresh paxos
     * lease LS:NAME at its offset (num_hosts = max_hosts; the request's max/num hosts are
     * ignored, as on the reference), then the entry. Lease first: an entry never points
     * at an area that was not written. Duplicate and empty names are accepted, as on the
     * reference. Full: -2.
     */
    ResourceEntry create(ResourceIndex rx, ResourceEntry e) throws SanlockException {
        return exclusive(rx, true, () -> {
            try (DirectFileStorage s = open(rx.disk().path())) {
                RindexArea first = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                return underIndexLease(rx, first, () -> {
                    RindexArea ix = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                    int i = ix.firstFree();
                    if (i < 0) {
                        throw new SanlockException(SanlockError.ENOENT, "resource index is full");
                    }
                    Geometry g = ix.geometry();
                    long at = ix.leaseOffset(i);
                    LeaseAreas.checkPlacement(s, s.isBlockDevice(), g, at);
                    LeaseAreas.initResource(s, at, g, Leader.newPaxosLeader(g, rx.lockspaceName(), e.name(), g.maxHosts()),
                            TIMEOUT_MILLIS);
                    ix.writeEntry(i, new RindexEntry(at, 0, e.name()), TIMEOUT_MILLIS);
                    log.info("rindex_create " + rx.lockspaceName() + ":" + e.name() + " entry " + i + " offset " + at);
                    return new ResourceEntry("", at, 0);
                });
            }
        });
    }

    /**
     * DELETE_RESOURCE: under rindex_lease, frees the entry with this name (the lowest one;
     * an offset given only has to be one of the index's lease offsets, -277 otherwise), then
     * rewrites its lease as a clear lease (ondisk.md 2.7). Not found or no name: -2. An
     * offset given is only checked for alignment (-277), as by the reference.
     */
    void delete(ResourceIndex rx, ResourceEntry e) throws SanlockException {
        exclusive(rx, true, () -> {
            try (DirectFileStorage s = open(rx.disk().path())) {
                RindexArea first = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                if (e.offset() != 0) {
                    first.slotOf(e.offset()); // only checked for alignment (-277); the entry is found by name
                }
                return underIndexLease(rx, first, () -> {
                    RindexArea ix = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                    int i = e.name().isEmpty() ? -1 : ix.find(e.name());
                    if (i < 0) {
                        throw new SanlockException(SanlockError.ENOENT, "no entry for '" + e.name() + "'");
                    }
                    Geometry g = ix.geometry();
                    long at = ix.leaseOffset(i);
                    ix.writeEntry(i, RindexEntry.FREE, TIMEOUT_MILLIS);
                    Leader clear = Leader.newPaxosLeader(g, rx.lockspaceName(), e.name(), g.maxHosts())
                            .withMagic(DiskFormat.PAXOS_DISK_CLEAR).withWrite(0, 0, clock.seconds());
                    LeaseAreas.initResource(s, at, g, clear, TIMEOUT_MILLIS);
                    log.info("rindex_delete " + rx.lockspaceName() + ":" + e.name() + " entry " + i + " offset " + at);
                    return null;
                });
            }
        });
    }

    /**
     * REBUILD_RINDEX: every entry rewritten from the leases on storage (any valid paxos
     * leader counts, whatever its lockspace, as on the reference), under rindex_lease unless
     * RX_NO_LOCKSPACE (then the lockspace need not be joined, and the lease cannot be taken).
     */
    void rebuild(ResourceIndex rx, int cmdFlags) throws SanlockException {
        boolean joined = (cmdFlags & CommandFlags.RX_NO_LOCKSPACE) == 0;
        exclusive(rx, joined, () -> {
            try (DirectFileStorage s = open(rx.disk().path())) {
                RindexArea first = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                Step<Object> work = () -> {
                    RindexArea ix = RindexArea.read(s, rx.disk().offset(), rx.lockspaceName(), TIMEOUT_MILLIS);
                    int found = ix.rebuild(false, TIMEOUT_MILLIS);
                    log.info("rindex_rebuild " + rx.lockspaceName() + ":" + rx.disk().path() + ":" + rx.disk().offset()
                            + " found " + found);
                    return null;
                };
                return joined ? underIndexLease(rx, first, work) : work.run();
            }
        });
    }

    // ------------------------------------------------------------------ helpers

    @FunctionalInterface
    private interface Step<T> {
        T run() throws SanlockException;
    }

    /** Runs {@code work} as the only index operation of the lockspace on this host (-16 otherwise). */
    private <T> T exclusive(ResourceIndex rx, boolean needJoined, Step<T> work) throws SanlockException {
        String ls = rx.lockspaceName();
        if (needJoined && !joined(ls)) {
            throw new SanlockException(SanlockError.ENOENT, "lockspace " + ls + " is not joined");
        }
        if (!busy.add(ls)) {
            throw new SanlockException(SanlockError.EBUSY, "another resource index operation runs in lockspace " + ls);
        }
        try {
            return work.run();
        } finally {
            busy.remove(ls);
        }
    }

    /**
     * The slot of an aligned lease offset (-277 otherwise). Like the reference, a slot past
     * max_resources or in the header sector's tail is used as it is (lookup reads it,
     * update writes it); unlike the reference, a slot outside the first area or over the
     * header is refused (-277): the reference would read or write beyond the index there.
     */
    private static int slot(RindexArea ix, long offset) throws SanlockException {
        int i = ix.slotOf(offset);
        if (!ix.inArea(i)) {
            throw new SanlockException(SanlockError.RINDEX_OFFSET, "offset " + offset + " has no entry slot in this resource index");
        }
        return i;
    }

    /** True while an index operation runs in {@code lockspace} (REM_LOCKSPACE waits for none). */
    boolean busy(String lockspace) {
        return busy.contains(lockspace);
    }

    private boolean joined(String lockspace) {
        for (Lockspace l : backend.lockspaces()) {
            if (l.name().equals(lockspace) && l.flags() == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code work} holding the index's {@code rindex_lease} (a normal exclusive paxos
     * acquire by this host, released afterwards even when {@code work} fails, its dblock
     * left unmarked as the reference leaves it).
     */
    private <T> T underIndexLease(ResourceIndex rx, RindexArea ix, Step<T> work) throws SanlockException {
        Geometry g = ix.geometry();
        Resource lease = new Resource(rx.lockspaceName(), DiskFormat.RINDEX_LEASE_NAME, 0, 0, 0,
                ResourceFlags.alignFlag(g.alignSize()) | ResourceFlags.sectorFlag(g.sectorSize()), 1,
                List.of(new Disk(rx.disk().path(), ix.internalLeaseOffset())));
        HeldLease held = backend.acquire(lease, 0, 0);
        T result;
        try {
            result = work.run();
        } catch (SanlockException | RuntimeException e) {
            releaseQuietly(held);
            throw e;
        }
        backend.releaseIndexLease(held);
        return result;
    }

    private void releaseQuietly(HeldLease held) {
        try {
            backend.releaseIndexLease(held);
        } catch (SanlockException e) {
            log.error("rindex_lease release failed " + e.code() + ": " + e.getMessage());
        }
    }

    /** The index's disk, read-write; a missing path (an empty one too: open(2) says ENOENT) is -ENOENT. */
    private static DirectFileStorage open(String path) throws SanlockException {
        return DirectStorage.open(path, DirectFileStorage.Access.READ_WRITE, SanlockError.ENOENT);
    }
}
