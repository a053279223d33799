package io.jsanlock.lease;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One host's delta lease (host_id lease) in one lockspace: join, renew, leave
 * (algorithms.md section 2). Not thread-safe: one lockspace thread drives it.
 *
 * <p>Every I/O is submitted with my io_timeout except the renewal write (8N+W).
 * The delays of the join come from the io_timeout stored in the slot, not mine
 * (algorithms.md 1.3), which is what makes a lockspace initialised with 10 take
 * 20 s to join even with {@code -o 1}.
 */
public final class DeltaLease {
    /** Result codes that mean "our slot is corrupt or taken": the lockspace fails at once (2.4). */
    private static final Set<Integer> CORRUPT = Set.of(-223, -224, -225, -226, -229, -260, -261);

    private final LeaseStorage disk;
    private final long areaOffset;
    private final Geometry geometry;
    private final String spaceName;
    private final long hostId;
    private final String hostName;
    private final Timeouts mine;
    private final MonotonicClock clock;
    private final LogRing log;
    private final String tag;
    private final ByteBuffer sector;
    /**
     * Where each renewal reads the whole lockspace area (1 MiB with 512-byte sectors). Taken
     * for the read and the host scan, then given back: a host joined to 100 lockspaces used to
     * keep 100 such buffers on the heap and ran out of it at ~50 (bin/bench-scale), where only
     * the renewals running at the same moment need one.
     */
    private final BufferPool areas;

    private @Nullable Leader lastWritten;
    private boolean lastRenewalOk;
    private boolean lastReadTimedOut;
    private long lastReadMillis;
    private long lastWriteMillis;
    private long lastSuccess;

    /** A delta lease renewed rarely (a direct command's): its area buffer is allocated per renewal. */
    public DeltaLease(LeaseStorage disk, long areaOffset, Geometry geometry, String spaceName, long hostId,
                      String hostName, Timeouts mine, MonotonicClock clock, LogRing log) throws SanlockException {
        this(disk, areaOffset, geometry, spaceName, hostId, hostName, mine, clock, log, new BufferPool(0));
    }

    /** A delta lease whose renewals borrow their area buffer from {@code areas} (an engine's, shared). */
    public DeltaLease(LeaseStorage disk, long areaOffset, Geometry geometry, String spaceName, long hostId,
                      String hostName, Timeouts mine, MonotonicClock clock, LogRing log, BufferPool areas)
            throws SanlockException {
        if (hostId < 1 || hostId > geometry.maxHosts()) {
            throw new SanlockException(SanlockError.ADDLS_INVALID_HOSTID,
                    "host_id " + hostId + " is outside 1.." + geometry.maxHosts() + " for " + geometry);
        }
        if (hostName.isEmpty() || hostName.length() > DiskFormat.NAME_LEN - 1) {
            // a delta lease stores at most 47 characters (ondisk.md 0); a longer name would not
            // recognise its own slot after a crash
            throw new SanlockException(SanlockError.EINVAL, "host name must be 1..47 bytes: '" + hostName + "'");
        }
        this.disk = disk;
        this.areaOffset = areaOffset;
        this.geometry = geometry;
        this.spaceName = spaceName;
        this.hostId = hostId;
        this.hostName = hostName;
        this.mine = mine;
        this.clock = clock;
        this.log = log;
        this.tag = "s" + spaceName + ":" + hostId;
        this.areas = areas;
        this.sector = ByteBuffer.allocate(geometry.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Learns the lockspace's sector and align size from host 1's slot, as the
     * reference's join does by reading 4 KiB at the lockspace offset (2.3).
     */
    public static Geometry readGeometry(LeaseStorage disk, long areaOffset, String spaceName, Timeouts mine)
            throws SanlockException {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        disk.read(areaOffset, b, mine.ioTimeoutNanos());
        Leader l = Leader.decode(b, 0);
        if (l.magic() != DiskFormat.DELTA_DISK_MAGIC) {
            throw new SanlockException(SanlockError.LEADER_MAGIC,
                    "no lockspace at offset " + areaOffset + " (magic 0x" + Integer.toHexString(l.magic()) + ")");
        }
        if (l.sectorSize() != 512 && l.sectorSize() != 4096) {
            throw new SanlockException(SanlockError.ADDLS_SIZES, "lockspace has sector size " + l.sectorSize());
        }
        try {
            return Geometry.fromLeader(l);
        } catch (SanlockException e) {
            throw new SanlockException(SanlockError.ADDLS_SIZES, e.getMessage());
        }
    }

    public static boolean isCorrupt(int code) {
        return CORRUPT.contains(code);
    }

    private long slotOffset(long id) {
        return areaOffset + geometry.deltaLeaseOffset(id);
    }

    /** Reads and checks one host's slot (one sector, my io_timeout). */
    public Leader readSlot(long id) throws SanlockException {
        return readSlot(id, sector);
    }

    /** Same with a caller's buffer (acquire threads must not share the lockspace thread's). */
    public Leader readSlot(long id, ByteBuffer buf) throws SanlockException {
        buf.clear().limit(geometry.sectorSize());
        disk.read(slotOffset(id), buf, mine.ioTimeoutNanos());
        return Leader.decodeDeltaChecked(buf, 0, spaceName);
    }

    private void writeSlot(Leader l, byte @Nullable [] bitmap, long timeoutNanos) throws SanlockException {
        sector.clear();
        for (int i = 0; i < sector.capacity(); i++) {
            sector.put(i, (byte) 0);
        }
        l.encode(sector, 0);
        if (bitmap != null) {
            sector.put(DiskFormat.HOST_BITMAP_OFFSET, bitmap, 0, DiskFormat.HOST_BITMAP_LEN);
        }
        sector.clear();
        disk.write(slotOffset(hostId), sector, timeoutNanos);
    }

    /**
     * Acquires my host_id (2.2): read; if another name holds it, wait 8·Dx+W and
     * fail -262 if it changed; write; wait 2·Dx; read back and compare.
     *
     * @return the new generation
     */
    public long join(BooleanSupplier aborted) throws SanlockException {
        log.logf("%s delta_acquire begin %s:%d", tag, spaceName, hostId);
        Leader l = readSlot(hostId);
        int dx = l.ioTimeout() != 0 ? l.ioTimeout() : mine.ioTimeout();
        if (l.ioTimeout() == 0) {
            log.logf("%s delta_acquire use own io_timeout %d", tag, mine.ioTimeout());
        } else if (l.ioTimeout() != mine.ioTimeout()) {
            log.logf("%s delta_acquire other_io_timeout %d our %d", tag, l.ioTimeout(), mine.ioTimeout());
        }
        Timeouts other = mine.withIoTimeout(dx);
        if (l.timestamp() != 0 && !l.resourceName().equals(hostName)) {
            long delay = other.deltaAcquireHeldWaitSeconds();
            log.logf("%s delta_acquire slot held by '%s' %d %d %d", tag, l.resourceName(), l.ownerId(),
                    l.ownerGeneration(), l.timestamp());
            log.logf("%s delta_large_delay %d delay %d", tag, other.deltaLargeDelaySeconds(), delay);
            Pause.seconds(clock, delay, aborted, "delta_acquire");
            Leader l2 = readSlot(hostId);
            if (!l2.equals(l) && l2.timestamp() != 0) {
                log.logf("%s delta_acquire busy1 %d %d %d %s", tag, l2.ownerId(), l2.ownerGeneration(),
                        l2.timestamp(), l2.resourceName());
                throw new SanlockException(SanlockError.HOSTID_BUSY, "host_id " + hostId + " of lockspace "
                        + spaceName + " is held by live host '" + l2.resourceName() + "'");
            }
            l = l2;
        } else if (l.timestamp() != 0) {
            log.logf("%s delta_acquire fast reacquire", tag);
        }
        long now = clock.seconds();
        Leader mineRec = l.withOwner(hostId, l.ownerGeneration() + 1, now)
                .withIoTimeout(mine.ioTimeout() & 0xFF)
                .withResourceName(hostName);
        log.logf("%s delta_acquire write %d %d %d %s", tag, hostId, mineRec.ownerGeneration(), now, hostName);
        writeSlot(mineRec, null, mine.ioTimeoutNanos());
        mineRec = mineRec.withChecksum(Leader.computeChecksum(sector, 0));
        log.logf("%s delta_short_delay %d", tag, other.deltaShortDelaySeconds());
        Pause.seconds(clock, other.deltaShortDelaySeconds(), aborted, "delta_acquire");
        Leader l3 = readSlot(hostId);
        if (!l3.equals(mineRec)) {
            log.logf("%s delta_acquire busy2 %d %d %d %s", tag, l3.ownerId(), l3.ownerGeneration(),
                    l3.timestamp(), l3.resourceName());
            throw new SanlockException(SanlockError.HOSTID_BUSY, "host_id " + hostId + " of lockspace "
                    + spaceName + " was taken by '" + l3.resourceName() + "' while joining");
        }
        lastWritten = mineRec;
        lastRenewalOk = true;
        lastSuccess = now;
        log.logf("%s delta_acquire done %d %d %d", tag, hostId, mineRec.ownerGeneration(), now);
        return mineRec.ownerGeneration();
    }

    /**
     * Takes {@code current}, my slot as just read, as my last write, so that a process
     * that did not join itself can renew or release the slot (sanlock's {@code direct
     * renew_id} and {@code release_id} act on whatever the slot holds).
     */
    public void adopt(Leader current) {
        lastWritten = current;
        lastRenewalOk = true;
        lastSuccess = current.timestamp();
    }

    /** Receives the whole lockspace area each renewal read succeeded (for the host scan, 2.6). */
    @FunctionalInterface
    public interface AreaScanner {
        void scan(ByteBuffer area, long now);
    }

    /**
     * One renewal (2.4): read the whole area (timeout N), verify my slot, hand the
     * area to the scanner, write my sector with a new timestamp, the host event and
     * the bitmap (timeout 8N+W). Returns the timestamp written.
     *
     * @param bitmap 256 bytes to write at byte 256 of my sector, or null for zeros
     * @param event host event (generation, event, data), or null for zeros
     */
    public long renew(byte @Nullable [] bitmap, long @Nullable [] event, AreaScanner scanner) throws SanlockException {
        try {
            long ts = renew0(bitmap, event, scanner);
            lastRenewalOk = true;
            lastSuccess = ts;
            return ts;
        } catch (SanlockException e) {
            lastRenewalOk = false;
            throw e;
        }
    }

    private long renew0(byte @Nullable [] bitmap, long @Nullable [] event, AreaScanner scanner) throws SanlockException {
        ByteBuffer area = areas.take(geometry.alignSize());
        Leader l;
        long now;
        try {
            l = readMySlot(area);
            now = clock.seconds();
            if (scanner != null) {
                scanner.scan(area, now);
            }
        } finally {
            // the storage copies into the area only once its I/O has finished (an abandoned
            // read never writes here later), and the scanner keeps nothing of it
            areas.give(area);
        }
        if (now <= l.timestamp()) {
            log.logf("%s delta_renew timestamp %d not after %d", tag, now, l.timestamp());
        }
        if (l.ioTimeout() != (mine.ioTimeout() & 0xFF)) {
            log.logf("%s delta_renew io_timeout %d differs from ours %d", tag, l.ioTimeout(), mine.ioTimeout());
        }
        Leader next = l.withTimestamp(now).withIoTimeout(mine.ioTimeout() & 0xFF)
                .withWrite(event == null ? 0 : event[0], event == null ? 0 : event[1], event == null ? 0 : event[2]);
        // After a failed write we cannot know what landed; only identity is checked next time.
        lastWritten = next;
        lastRenewalOk = false;
        long t0 = clock.nanos();
        writeSlot(next, bitmap, mine.renewalWriteTimeoutSeconds() * 1_000_000_000L);
        long ms = (clock.nanos() - t0) / 1_000_000L;
        lastWriteMillis = ms;
        if (ms >= mine.ioTimeout() * 1000L) {
            log.logf("%s delta_renew long write time %d ms", tag, ms);
        }
        lastWritten = next.withChecksum(Leader.computeChecksum(sector, 0));
        return now;
    }

    /** The renewal's read (2.4): the whole area into {@code area}, then my slot, checked to be still mine. */
    private Leader readMySlot(ByteBuffer area) throws SanlockException {
        // The reference, after a renewal read timed out, first waits up to N more for that
        // still-outstanding read (renewal_read_extend_sec) before issuing a fresh one. Our
        // storage abandons a timed-out I/O, so the equivalent is to give the next read N + N:
        // a slow-but-working disk gets the same total time to answer as with the reference.
        long readTimeout = mine.ioTimeoutNanos()
                + (lastReadTimedOut ? mine.renewalReadExtendSeconds() * 1_000_000_000L : 0);
        long r0 = clock.nanos();
        try {
            disk.read(areaOffset, area, readTimeout);
            lastReadMillis = (clock.nanos() - r0) / 1_000_000L;
            lastReadTimedOut = false;
        } catch (SanlockException e) {
            lastReadTimedOut = e.error() == SanlockError.AIO_TIMEOUT;
            throw e;
        }
        int off = (int) geometry.deltaLeaseOffset(hostId);
        Leader l = Leader.decodeDeltaChecked(area, off, spaceName);
        if (l.sectorSize() != geometry.sectorSize()) {
            throw new SanlockException(SanlockError.LEADER_SECTORSIZE, "my slot says sector size " + l.sectorSize());
        }
        Leader written = Objects.requireNonNull(lastWritten, "renewing after acquire");
        if (l.ownerId() != hostId || l.ownerGeneration() != written.ownerGeneration()
                || !l.resourceName().equals(hostName)) {
            log.logf("%s delta_renew not owner %d %d %s", tag, l.ownerId(), l.ownerGeneration(), l.resourceName());
            throw new SanlockException(SanlockError.RENEW_OWNER, "host_id " + hostId + " of " + spaceName
                    + " now belongs to " + l.ownerId() + "/" + l.ownerGeneration() + " '" + l.resourceName() + "'");
        }
        if (lastRenewalOk && !l.equals(lastWritten)) {
            log.logf("%s delta_renew reread mismatch", tag);
            throw new SanlockException(SanlockError.RENEW_DIFF, "my slot in " + spaceName + " changed since my last write");
        }
        return l;
    }

    /**
     * Leaves (2.5): rewrite the last record with timestamp 0 — only if the last
     * renewal succeeded, so a slot another host took is never clobbered.
     */
    public boolean release() throws SanlockException {
        if (!lastRenewalOk || lastWritten == null) {
            log.logf("%s delta_release skipped, last renewal failed", tag);
            return false;
        }
        Leader rel = lastWritten.withTimestamp(0);
        writeSlot(rel, null, mine.ioTimeoutNanos());
        lastWritten = rel;
        log.logf("%s delta_release done %d %d 0", tag, hostId, rel.ownerGeneration());
        return true;
    }

    public long lastSuccess() {
        return lastSuccess;
    }

    /** Milliseconds the last successful renewal's area read took. */
    public long lastReadMillis() {
        return lastReadMillis;
    }

    /** Milliseconds the last successful renewal's write took. */
    public long lastWriteMillis() {
        return lastWriteMillis;
    }

    public boolean lastRenewalOk() {
        return lastRenewalOk;
    }

    public long generation() {
        return lastWritten == null ? 0 : lastWritten.ownerGeneration();
    }

    public Geometry geometry() {
        return geometry;
    }

    public long hostId() {
        return hostId;
    }

    public String hostName() {
        return hostName;
    }

    public String spaceName() {
        return spaceName;
    }

    public Timeouts timeouts() {
        return mine;
    }

    public long areaOffset() {
        return areaOffset;
    }

    public LeaseStorage storage() {
        return disk;
    }
}
