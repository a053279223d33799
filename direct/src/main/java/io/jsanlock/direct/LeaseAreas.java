package io.jsanlock.direct;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.DeltaLeaseSector;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.RequestRecord;
import io.jsanlock.format.RindexHeader;
import io.jsanlock.io.SectorStorage;
import java.nio.ByteBuffer;

/**
 * Writing fresh lease areas the way {@code sanlock direct init} does
 * (ondisk.md 4.1.1 and 4.2.1), shared by the CLI and the daemon.
 *
 * <p>Both inits make two writes: first the whole area with sector 0's magic
 * left 0, then sector 0 complete. An init interrupted between the two leaves
 * an area that no reader accepts, never one that looks valid but is not.
 */
public final class LeaseAreas {
    private LeaseAreas() {
    }

    /** Builds the bytes of a fresh lockspace area: max_hosts identical free delta leases, zeros after. */
    public static ByteBuffer lockspaceImage(Geometry g, String spaceName, int ioTimeout) {
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        Leader free = Leader.freeDeltaLease(g, spaceName, ioTimeout);
        DeltaLeaseSector.encode(area, 0, g.sectorSize(), free, null);
        for (int h = 1; h < g.maxHosts(); h++) {
            area.put(h * g.sectorSize(), area, 0, g.sectorSize());
        }
        return area;
    }

    /** Builds the bytes of a fresh resource area: leader, empty request record, zeros. */
    public static ByteBuffer resourceImage(Geometry g, Leader leader) {
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        leader.encode(area, 0);
        RequestRecord.EMPTY.encode(area, g.sectorSize() * DiskFormat.PAXOS_REQUEST_SECTOR);
        return area;
    }

    /**
     * Checks that an area of {@code g} fits at {@code offset}: offset aligned to
     * the area size and, on a block device, inside the device. A regular file
     * grows as needed, as it does under sanlock.
     *
     * @throws SanlockException EINVAL for a misaligned offset, EMSGSIZE (-90, what
     *         the reference reports) when a block device is too small
     */
    public static void checkPlacement(SectorStorage s, boolean fixedSize, Geometry g, long offset) throws SanlockException {
        if (offset < 0 || offset % g.alignSize() != 0) {
            throw new SanlockException(SanlockError.EINVAL, "offset " + offset + " is not a multiple of the "
                    + g.alignSize() + "-byte area size (" + g + ")");
        }
        checkFits(s, fixedSize, g, offset);
    }

    /**
     * As {@link #checkPlacement}, but the offset only has to be a multiple of the device's
     * sector size: the daemon's WRITE_LOCKSPACE and WRITE_RESOURCE, where sanlock 3.8.5
     * writes a complete area at any such offset (observed: 512 on a file, 1M for a 2M area)
     * and refuses others (100, negative) with -EINVAL, writing nothing.
     */
    public static void checkSectorPlacement(SectorStorage s, boolean fixedSize, Geometry g, long offset) throws SanlockException {
        if (offset < 0 || offset % s.sectorSize() != 0) {
            throw new SanlockException(SanlockError.EINVAL, "offset " + offset + " is not a multiple of the "
                    + s.sectorSize() + "-byte sectors of " + s.path());
        }
        checkFits(s, fixedSize, g, offset);
    }

    private static void checkFits(SectorStorage s, boolean fixedSize, Geometry g, long offset) throws SanlockException {
        if (g.sectorSize() % s.sectorSize() != 0) {
            throw new SanlockException(SanlockError.EINVAL, "sector size " + g.sectorSize() + " is smaller than the "
                    + s.sectorSize() + "-byte sectors of " + s.path());
        }
        if (fixedSize) {
            long size = s.size();
            if (offset + g.alignSize() > size) {
                throw new SanlockException(SanlockError.EMSGSIZE, s.path() + " has " + size + " bytes, too small for a "
                        + g.alignSize() + "-byte area at offset " + offset);
            }
        }
    }

    /** Writes a fresh lockspace area at {@code offset}, in two writes (sector 0 last). */
    public static void initLockspace(SectorStorage s, long offset, Geometry g, String spaceName, int ioTimeout,
            long timeoutMillis) throws SanlockException {
        writeTwoStep(s, offset, g, lockspaceImage(g, spaceName, ioTimeout), timeoutMillis);
    }

    /** Writes a fresh resource area at {@code offset} holding {@code leader}, in two writes (sector 0 last). */
    public static void initResource(SectorStorage s, long offset, Geometry g, Leader leader, long timeoutMillis)
            throws SanlockException {
        writeTwoStep(s, offset, g, resourceImage(g, leader), timeoutMillis);
    }

    /**
     * Formats a resource index at {@code offset} (ondisk.md 7): the header area
     * zeroed with the header in its sector 0 (written last), and the internal
     * {@code rindex_lease} initialised at offset + align like {@code init -r}
     * with num_hosts = max_hosts. Both areas must fit (see {@link #checkPlacement}).
     */
    public static void formatRindex(SectorStorage s, long offset, Geometry g, String lockspaceName, int maxResources,
            long timeoutMillis) throws SanlockException {
        Leader lease = Leader.newPaxosLeader(g, lockspaceName, DiskFormat.RINDEX_LEASE_NAME, g.maxHosts());
        initResource(s, offset + g.alignSize(), g, lease, timeoutMillis);
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        s.write(offset, area, timeoutMillis);
        ByteBuffer sector0 = ByteBuffer.allocate(g.sectorSize());
        RindexHeader.of(g, maxResources, offset, lockspaceName).encode(sector0, 0);
        s.write(offset, sector0, timeoutMillis);
    }

    private static void writeTwoStep(SectorStorage s, long offset, Geometry g, ByteBuffer area, long timeoutMillis)
            throws SanlockException {
        ByteBuffer sector0 = ByteBuffer.allocate(g.sectorSize());
        sector0.put(0, area, 0, g.sectorSize());
        area.putInt(0, 0);
        s.write(offset, area, timeoutMillis);
        s.write(offset, sector0, timeoutMillis);
    }
}
