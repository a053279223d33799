package io.jsanlock.lease;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.Dblock;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.ModeBlock;
import io.jsanlock.format.RequestRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One resource lease (disk paxos) as seen by one host: acquire (exclusive or
 * shared), release, requests (algorithms.md section 3). One instance per
 * acquire/hold; not thread-safe. Callers serialise operations on one resource
 * (the engine never runs two on the same resource at once), and operations on
 * different resources share nothing.
 *
 * <p>I/O per exclusive acquire of a free lease: 1 read of the lease area, then
 * phase 1 (write my dblock, read all dblocks), phase 2 (same), commit (write the
 * leader): 6 I/Os, exactly the reference's; the dblocks of all hosts are always
 * read in one I/O. Release: write my dblock, read the leader, write the leader.
 * None of these may be dropped: each write must be visible to the next reader
 * before we act on the read that follows it (that is what makes it Disk Paxos).
 * The only reuse is of the first read as the ballot's starting leader when
 * nothing was waited for (the reference does the same).
 *
 * <p><b>Why one unit (~870 lines).</b> Acquire, convert and release work on one lease's
 * per-hold state — the token's dblock and committed leader, the shared holders a ballot
 * saw, the mode block kept through a convert, the geometry re-read from the leader — and
 * on the same sector read/write helpers; as sanlock's {@code paxos_lease.c} they are one
 * unit, and splitting them would spread that state across classes. Instances come from a
 * {@link PaxosLeaseFactory}.
 */
public final class PaxosLease {
    private final LeaseStorage disk;
    private final long offset;
    private final String spaceName;
    private final String resourceName;
    private final MonotonicClock clock;
    private final LogRing log;
    private final RandomGenerator random;
    private final BufferPool pool;
    private Geometry geometry;
    private final String tag;
    private ByteBuffer sector;

    /** Acquire options (SANLK_RES_* and acquire flags). */
    public record Options(boolean shared, long requiredLver, boolean ownerNoWait, long numHosts) {
        public static final Options EXCLUSIVE = new Options(false, 0, false, 0);
        public static final Options SHARED = new Options(true, 0, false, 0);
    }

    /** What a successful acquire leaves behind, needed to release as the reference does. */
    public static final class Token {
        final long hostId;
        final long generation;
        final Timeouts mine;
        @Nullable Leader committed;
        @Nullable Dblock dblock;
        long lver;
        boolean shared;
        boolean held;

        public Token(long hostId, long generation, Timeouts mine) {
            this.hostId = hostId;
            this.generation = generation;
            this.mine = mine;
        }

        public long lver() {
            return lver;
        }

        public boolean shared() {
            return shared;
        }

        public boolean held() {
            return held;
        }

        public long hostId() {
            return hostId;
        }

        public long generation() {
            return generation;
        }

        /** The leader as committed at acquire (null for shared holds). */
        public @Nullable Leader committed() {
            return committed;
        }

        /** The dblock my ballot wrote: every token past its ballot has one (acquire sets it before {@code held}). */
        Dblock ballotDblock() {
            return Objects.requireNonNull(dblock, "a token past its ballot has its dblock");
        }
    }

    /** Made by {@link PaxosLeaseFactory#open} (and by this package's protocol tests). */
    PaxosLease(LeaseStorage disk, long offset, Geometry lockspaceGeometry, String spaceName, String resourceName,
               MonotonicClock clock, LogRing log, RandomGenerator random, BufferPool pool) {
        this.disk = disk;
        this.offset = offset;
        this.geometry = lockspaceGeometry;
        this.spaceName = spaceName;
        this.resourceName = resourceName;
        this.clock = clock;
        this.log = log;
        this.random = random;
        this.pool = pool;
        this.tag = "r" + spaceName + ":" + resourceName;
        this.sector = newSector();
    }

    private ByteBuffer newSector() {
        return ByteBuffer.allocate(geometry.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
    }

    public Geometry geometry() {
        return geometry;
    }

    private long sectorOffset(long sectorIndex) {
        return offset + sectorIndex * geometry.sectorSize();
    }

    private static int roundupPow2(long v) {
        int r = 1;
        while (r < v) {
            r <<= 1;
        }
        return r;
    }

    // ------------------------------------------------------------------ reads

    private Leader readLeader(long hostId, Timeouts t) throws SanlockException {
        sector.clear();
        try {
            disk.read(offset, sector, t.ioTimeoutNanos());
        } catch (SanlockException e) {
            throw readError(SanlockError.LEADER_READ, e);
        }
        return Leader.decodePaxosChecked(sector, 0, spaceName, resourceName, hostId);
    }

    private static SanlockException readError(SanlockError kind, SanlockException e) {
        // A timeout keeps its own code (-202) as the reference reports it; other I/O errors
        // become the majority-failure code of the step.
        // A short read (the lease runs past the end of its file or device) keeps EMSGSIZE
        // (-90), which is what sanlock 3.8.5 answers an acquire on a file shorter than the lease.
        if (e.error() == SanlockError.AIO_TIMEOUT || e.error() == SanlockError.EMSGSIZE) {
            return e;
        }
        return new SanlockException(kind, kind.symbol() + ": " + e.getMessage(), e);
    }

    /** Reads the leader of this resource, checked as sanlock does (hostId 0 skips the num_hosts check). */
    public Leader readLeader(Timeouts t) throws SanlockException {
        return readLeader(0, t);
    }

    /** Reads the request record (sector 1), checking magic and version (-270/-271). */
    public RequestRecord readRequest(Timeouts t) throws SanlockException {
        sector.clear();
        disk.read(sectorOffset(DiskFormat.PAXOS_REQUEST_SECTOR), sector, t.ioTimeoutNanos());
        RequestRecord r = RequestRecord.decode(sector, 0);
        if (r.magic() != DiskFormat.REQ_DISK_MAGIC) {
            throw new SanlockException(SanlockError.REQUEST_MAGIC, "request record of " + resourceName
                    + " has wrong magic 0x" + Integer.toHexString(r.magic()));
        }
        if ((r.version() & DiskFormat.VERSION_MAJOR_MASK) != DiskFormat.REQ_DISK_VERSION_MAJOR) {
            throw new SanlockException(SanlockError.REQUEST_VERSION, "request record of " + resourceName
                    + " has wrong version 0x" + Integer.toHexString(r.version()));
        }
        return r;
    }

    // ----------------------------------------------------------------- writes

    private void clearSector() {
        sector.clear();
        for (int i = 0; i < sector.capacity(); i++) {
            sector.put(i, (byte) 0);
        }
    }

    private void writeDblockSector(long hostId, Dblock d, @Nullable ModeBlock mode, Timeouts t) throws SanlockException {
        clearSector();
        d.encode(sector, 0);
        if (mode != null) {
            mode.encode(sector, 0);
        }
        sector.clear();
        try {
            disk.write(sectorOffset(DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + hostId - 1), sector, t.ioTimeoutNanos());
        } catch (SanlockException e) {
            throw e.error() == SanlockError.AIO_TIMEOUT ? e
                    : new SanlockException(SanlockError.DBLOCK_WRITE, "dblock write failed: " + e.getMessage(), e);
        }
    }

    private Leader writeLeader(Leader l, Timeouts t) throws SanlockException {
        clearSector();
        int crc = l.encode(sector, 0);
        sector.clear();
        try {
            disk.write(offset, sector, t.ioTimeoutNanos());
        } catch (SanlockException e) {
            throw e.error() == SanlockError.AIO_TIMEOUT ? e
                    : new SanlockException(SanlockError.LEADER_WRITE, "leader write failed: " + e.getMessage(), e);
        }
        return l.withChecksum(crc);
    }

    // ---------------------------------------------------------------- acquire

    private record LeaseRead(Leader leader, long maxMbal) {}

    private enum OwnerVerdict { BALLOT, RESTART, SHORT_HOLD }

    /** The shared holders a ballot saw: (host_id, generation) pairs. */
    private final List<long[]> sharedSeen = new ArrayList<>();
    /** Set during an SH→EX convert: the ballot's dblock writes keep my SHARED mode block. */
    private @Nullable ModeBlock keepMode;

    /**
     * Acquires the lease for {@code tok}'s host (3.2–3.4, 3.7). On success the
     * token holds what release needs. Failures carry sanlock's codes: -240, -243,
     * -244, -245, -246, -247, -11 (live shared holders), -2xx I/O and format errors.
     */
    public void acquire(Token tok, Options opt, OwnerView owners) throws SanlockException {
        acquire(tok, opt, owners, null);
    }

    private void acquire(Token tok, Options opt, OwnerView owners, @Nullable List<long[]> ballotOnly) throws SanlockException {
        ByteBuffer area = null;
        int shRetries = 0;
        try {
            while (true) {
                int areaBytes = geometry.alignSize();
                if (area == null || area.capacity() < areaBytes) {
                    if (area != null) {
                        pool.give(area);
                    }
                    area = pool.take(areaBytes);
                }
                area.clear().limit(areaBytes);
                log.logf("%s paxos_acquire begin offset %d 0x%x %d %d", tag, offset, opt.shared() ? 8 : 0,
                        geometry.sectorSize(), geometry.alignSize());
                LeaseRead lr = readLease(area, tok);
                Leader l = lr.leader();
                Geometry lg = Geometry.fromLeader(l);
                if (!lg.equals(geometry)) {
                    log.logf("%s paxos_acquire leader sizes %s differ from %s, reread", tag, lg, geometry);
                    geometry = lg;
                    sector = newSector();
                    continue;
                }
                log.logf("%s paxos_acquire leader %d owner %d %d %d max mbal %d", tag, l.lver(), l.ownerId(),
                        l.ownerGeneration(), l.timestamp(), lr.maxMbal());
                if (opt.requiredLver() != 0 && l.lver() != opt.requiredLver()) {
                    log.logf("%s paxos_acquire acquire_lver %d cur_leader %d", tag, opt.requiredLver(), l.lver());
                    throw new SanlockException(SanlockError.ACQUIRE_LVER, "lease " + resourceName + " has lver "
                            + l.lver() + ", not the required " + opt.requiredLver());
                }
                boolean waited = false;
                if (l.timestamp() == 0) {
                    log.logf("%s paxos_acquire leader %d free", tag, l.lver());
                } else if (l.ownerId() == tok.hostId && l.ownerGeneration() == tok.generation) {
                    log.logf("%s paxos_acquire owner is our host_id %d gen %d", tag, tok.hostId, tok.generation);
                } else if (l.ownerId() == tok.hostId && l.ownerGeneration() < tok.generation) {
                    log.logf("%s paxos_acquire owner %d %d %d was old local new is %d", tag, l.ownerId(),
                            l.ownerGeneration(), l.timestamp(), tok.generation);
                } else {
                    OwnerVerdict v = ownerLivenessWait(l, tok, opt, owners);
                    if (v == OwnerVerdict.RESTART) {
                        continue;
                    }
                    if (v == OwnerVerdict.SHORT_HOLD) {
                        if (++shRetries > 8) {
                            throw new SanlockException(SanlockError.ACQUIRE_SHRETRY, "lease " + resourceName
                                    + " stayed in a short exclusive hold by host " + l.ownerId());
                        }
                        sleepRandom();
                        continue;
                    }
                    waited = true;
                }
                if (ballotAndCommit(tok, opt, l, lr.maxMbal(), waited, area) == BallotOutcome.COMMITTED) {
                    break;
                }
                // RESTART: the leader moved on under the ballot; start again from the first read
            }
        } finally {
            if (area != null) {
                pool.give(area);
            }
        }
        if (ballotOnly != null) {
            ballotOnly.addAll(sharedSeen);
            return;
        }
        if (opt.shared()) {
            finishShared(tok);
        } else if (!sharedSeen.isEmpty()) {
            clearDeadShared(tok, owners);
        }
    }

    /** The first read: the leader plus every dblock in one I/O; a corrupt dblock fails with -214. */
    private LeaseRead readLease(ByteBuffer area, Token tok) throws SanlockException {
        try {
            disk.read(offset, area, tok.mine.ioTimeoutNanos());
        } catch (SanlockException e) {
            throw readError(SanlockError.LEADER_READ, e);
        }
        Leader l = Leader.decodePaxosChecked(area, 0, spaceName, resourceName, tok.hostId);
        long maxMbal = 0;
        long n = Math.min(l.numHosts(), geometry.sectorsPerArea() - DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR);
        int ss = geometry.sectorSize();
        for (int q = 0; q < n; q++) {
            int off = (DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + q) * ss;
            if (!Dblock.valid(area, off)) {
                log.logf("%s paxos_acquire verify_dblock wrong checksum host_id %d", tag, q + 1);
                throw new SanlockException(SanlockError.DBLOCK_CHECKSUM, "dblock of host " + (q + 1) + " in "
                        + resourceName + " has a bad checksum");
            }
            long mbal = area.getLong(off);
            if (Long.compareUnsigned(mbal, maxMbal) > 0) {
                maxMbal = mbal;
            }
        }
        return new LeaseRead(l, maxMbal);
    }

    private OwnerVerdict ownerLivenessWait(Leader l, Token tok, Options opt, OwnerView owners) throws SanlockException {
        if (owners == null) {
            throw new SanlockException(SanlockError.ACQUIRE_LOCKSPACE, "lockspace " + spaceName + " of lease "
                    + resourceName + " is not joined here");
        }
        long ownerId = l.ownerId();
        HostStatus hs = owners.hostStatus(ownerId);
        long waitStart;
        long lastTs;
        boolean fresh = hs != null && hs.lastCheck() != 0 && hs.lastLive() != 0 && hs.ownerId() == ownerId
                && hs.ownerGeneration() == l.ownerGeneration();
        if (fresh) {
            waitStart = hs.lastLive();
            lastTs = hs.timestamp();
        } else {
            waitStart = clock.seconds();
            lastTs = 0;
        }
        boolean scanSawMove = hs != null && hs.lastLive() != 0 && hs.lastCheck() == hs.lastLive();
        log.logf("%s paxos_acquire owner %d %d %d host_status %d %d %d wait_start %d", tag, ownerId,
                l.ownerGeneration(), l.timestamp(), hs == null ? 0 : hs.ownerId(),
                hs == null ? 0 : hs.ownerGeneration(), hs == null ? 0 : hs.timestamp(), waitStart);
        ByteBuffer slot = ByteBuffer.allocate(geometry.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
        while (true) {
            Leader s = owners.readHostSlot(ownerId);
            if (s.timestamp() == 0) {
                log.logf("%s paxos_acquire owner %d %d %d delta free", tag, ownerId, l.ownerGeneration(), l.timestamp());
                return OwnerVerdict.BALLOT;
            }
            if (s.ownerId() != ownerId || s.ownerGeneration() > l.ownerGeneration()) {
                log.logf("%s paxos_acquire owner %d %d %d delta %d %d %d mismatch", tag, ownerId,
                        l.ownerGeneration(), l.timestamp(), s.ownerId(), s.ownerGeneration(), s.timestamp());
                return OwnerVerdict.BALLOT;
            }
            // Whose io_timeout decides "dead": the owner's as last recorded in my table
            // (the reference's choice). If my table has no value for it yet, use what its
            // slot says right now rather than my own: a smaller own N must never shorten
            // the wait for an owner that advertises a larger one.
            int ownerIo = fresh && hs.ioTimeout() != 0 ? hs.ioTimeout() : s.ioTimeout();
            Timeouts ot = owners.myTimeouts().forStored(ownerIo);
            if (lastTs == 0) {
                lastTs = s.timestamp();
            } else {
                if (s.timestamp() != lastTs || scanSawMove) {
                    if (l.writeId() != l.ownerId()) {
                        Dblock d = readDblock(ownerId, tok, slot);
                        if (d.released()) {
                            log.logf("%s paxos_acquire owner %d %d %d writer %d owner dblock released", tag,
                                    ownerId, l.ownerGeneration(), l.timestamp(), l.writeId());
                            return OwnerVerdict.BALLOT;
                        }
                    }
                    if (opt.shared() && (l.flags() & DiskFormat.LFL_SHORT_HOLD) != 0) {
                        log.logf("%s paxos_acquire owner %d %d %d short hold, retry", tag, ownerId,
                                l.ownerGeneration(), l.timestamp());
                        return OwnerVerdict.SHORT_HOLD;
                    }
                    log.logf("%s paxos_acquire owner %d %d %d delta %d %d %d alive", tag, ownerId,
                            l.ownerGeneration(), l.timestamp(), s.ownerId(), s.ownerGeneration(), s.timestamp());
                    throw new SanlockException(SanlockError.ACQUIRE_IDLIVE, "lease " + resourceName
                            + " is held by live host " + ownerId + " generation " + l.ownerGeneration());
                }
                long now = clock.seconds();
                if (now - waitStart > ot.ownerDeadSeconds()) {
                    log.logf("%s paxos_acquire owner %d %d %d delta %d %d %d dead %d-%d>%d", tag, ownerId,
                            l.ownerGeneration(), l.timestamp(), s.ownerId(), s.ownerGeneration(), s.timestamp(),
                            now, waitStart, ot.ownerDeadSeconds());
                    return OwnerVerdict.BALLOT;
                }
                if (opt.ownerNoWait()) {
                    throw new SanlockException(SanlockError.ACQUIRE_OWNED_RETRY, "owner " + ownerId
                            + " of " + resourceName + " is not yet known to be dead");
                }
            }
            Pause.sleepNanos(clock, 1_000_000_000L);
            if (owners.leaving()) {
                log.logf("%s paxos_acquire owner wait abandoned: lockspace being left", tag);
                throw new SanlockException(SanlockError.ENOSPC, "lockspace of " + resourceName + " is being left");
            }
            Leader l2 = readLeader(tok.hostId, tok.mine);
            if (!l2.equals(l)) {
                log.logf("%s paxos_acquire restart leader changed %d %d %d", tag, l2.ownerId(),
                        l2.ownerGeneration(), l2.lver());
                return OwnerVerdict.RESTART;
            }
        }
    }

    private Dblock readDblock(long hostId, Token tok, ByteBuffer buf) throws SanlockException {
        buf.clear();
        try {
            disk.read(sectorOffset(DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + hostId - 1), buf, tok.mine.ioTimeoutNanos());
        } catch (SanlockException e) {
            throw readError(SanlockError.DBLOCK_READ, e);
        }
        return Dblock.decode(buf, 0);
    }

    private void sleepRandom() throws SanlockException {
        long us = random.nextLong(1_000_001L);
        Pause.sleepNanos(clock, us * 1000L);
    }

    /**
     * How one {@link #ballotAndCommit} ended when it did not fail: the token now holds the
     * lease, or the leader changed since the read the ballot started from and the acquire
     * must start again from a fresh read (failures are thrown with their sanlock code).
     */
    private enum BallotOutcome { COMMITTED, RESTART }

    private BallotOutcome ballotAndCommit(Token tok, Options opt, Leader l, long maxMbal, boolean waited,
                                          ByteBuffer area) throws SanlockException {
        long nextLver = l.lver() + 1;
        long maxHosts = l.maxHosts();
        long mbal = maxMbal == 0 ? tok.hostId : (maxMbal - Long.remainderUnsigned(maxMbal, maxHosts)) + maxHosts + tok.hostId;
        boolean first = true;
        while (true) {
            Leader l2 = first && !waited ? l : readLeader(tok.hostId, tok.mine);
            first = false;
            if (l2.lver() == nextLver) {
                if (l2.ownerId() == tok.hostId && l2.ownerGeneration() == tok.generation) {
                    log.logf("%s paxos_acquire %d owner is our host_id, committed by %d", tag, nextLver, l2.writeId());
                    succeed(tok, l2, opt);
                    return BallotOutcome.COMMITTED;
                }
                log.logf("%s paxos_acquire %d owned by %d %d", tag, nextLver, l2.ownerId(), l2.ownerGeneration());
                throw new SanlockException(SanlockError.ACQUIRE_OWNED, "lver " + nextLver + " of " + resourceName
                        + " was committed to host " + l2.ownerId());
            }
            if (l2.lver() > nextLver || !l2.sameAs(l)) {
                log.logf("%s paxos_acquire leader changed %d %d %d, restart", tag, l2.lver(), l2.ownerId(),
                        l2.ownerGeneration());
                return BallotOutcome.RESTART;
            }
            Dblock chosen;
            try {
                chosen = runBallot(tok, opt, l, nextLver, mbal, area);
            } catch (BallotAbort a) {
                mbal += maxHosts;
                sleepRandom();
                continue;
            }
            long now = clock.seconds();
            int flags = l.flags();
            if (chosen.inp() == tok.hostId) {
                flags = opt.shared() ? flags | DiskFormat.LFL_SHORT_HOLD : flags & ~DiskFormat.LFL_SHORT_HOLD;
            }
            Leader next = l.withLver(nextLver).withOwner(chosen.inp(), chosen.inp2(), chosen.inp3())
                    .withWrite(tok.hostId, tok.generation, now).withFlags(flags);
            if (opt.numHosts() != 0) {
                next = next.withNumHosts(opt.numHosts());
            }
            Leader written;
            try {
                written = writeLeader(next, tok.mine);
            } catch (SanlockException e) {
                retract(tok);
                throw e;
            }
            if (chosen.inp() != tok.hostId) {
                log.logf("%s ballot %d commit other owner %d %d %d", tag, nextLver, chosen.inp(), chosen.inp2(),
                        chosen.inp3());
                throw new SanlockException(SanlockError.ACQUIRE_OTHER, "ballot " + nextLver + " of " + resourceName
                        + " chose host " + chosen.inp());
            }
            log.logf("%s ballot %d commit self owner %d %d %d", tag, nextLver, chosen.inp(), chosen.inp2(), chosen.inp3());
            succeed(tok, written, opt);
            return BallotOutcome.COMMITTED;
        }
    }

    private void succeed(Token tok, Leader committed, Options opt) {
        tok.committed = committed;
        tok.lver = committed.lver();
        tok.held = true;
        tok.shared = opt.shared();
    }

    private static final class BallotAbort extends Exception {
        private static final long serialVersionUID = 1L;

        BallotAbort() {
            super(null, null, false, false);
        }
    }

    /** Both phases of one ballot for {@code lver} with ballot number {@code mbal}; returns the chosen value. */
    private Dblock runBallot(Token tok, Options opt, Leader l, long lver, long mbal, ByteBuffer area)
            throws SanlockException, BallotAbort {
        long numHosts = l.numHosts();
        int readSectors = Math.min(roundupPow2(numHosts + 2), geometry.sectorsPerArea());
        int ss = geometry.sectorSize();
        // phase 1: a fresh block for this lver (bal = inp = 0), which also clears my mode block
        Dblock p1 = new Dblock(mbal, 0, 0, 0, 0, lver, 0, 0);
        log.logf("%s ballot %d phase1 write mbal %d", tag, lver, mbal);
        tok.dblock = p1;
        writeDblockSector(tok.hostId, p1, keepMode, tok.mine);
        readBallotArea(area, readSectors, ss, tok);
        sharedSeen.clear();
        Dblock best = scan(tok, area, numHosts, lver, mbal, ss, 1, true);
        Dblock p2;
        if (best != null) {
            p2 = new Dblock(mbal, mbal, best.inp(), best.inp2(), best.inp3(), lver, 0, 0);
            log.logf("%s ballot %d choose bk_max inp %d %d %d", tag, lver, best.inp(), best.inp2(), best.inp3());
        } else {
            p2 = new Dblock(mbal, mbal, tok.hostId, tok.generation, clock.seconds(), lver, 0, 0);
        }
        log.logf("%s ballot %d phase2 write bal %d inp %d %d %d q_max %d", tag, lver, mbal, p2.inp(), p2.inp2(),
                p2.inp3(), best == null ? -1 : best.bal());
        tok.dblock = p2;
        try {
            writeDblockSector(tok.hostId, p2, keepMode, tok.mine);
            readBallotArea(area, readSectors, ss, tok);
        } catch (SanlockException e) {
            // phase 2 started: someone may already pick my block, so I might become the owner
            retract(tok);
            throw e;
        }
        scan(tok, area, numHosts, lver, mbal, ss, 2, false);
        return p2;
    }

    private void readBallotArea(ByteBuffer area, int sectors, int ss, Token tok) throws SanlockException {
        area.clear().limit(sectors * ss);
        try {
            disk.read(offset, area, tok.mine.ioTimeoutNanos());
        } catch (SanlockException e) {
            throw readError(SanlockError.DBLOCK_READ, e);
        }
    }

    private @Nullable Dblock scan(Token tok, ByteBuffer area, long numHosts, long lver, long mbal, int ss, int phase,
                        boolean collectShared) throws BallotAbort {
        Dblock best = null;
        int n = (int) Math.min(numHosts, area.limit() / ss - DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR);
        for (int q = 0; q < n; q++) {
            int off = (DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + q) * ss;
            if (!Dblock.valid(area, off)) {
                log.logf("%s ballot %d phase%d skip bad dblock %d", tag, lver, phase, q + 1);
                continue;
            }
            if (collectShared && q + 1 != tok.hostId) {
                ModeBlock mb = ModeBlock.decode(area, off);
                if (mb.shared()) {
                    sharedSeen.add(new long[] {q + 1, mb.generation()});
                }
            }
            long bLver = area.getLong(off + Dblock.OFF_LVER);
            if (bLver < lver) {
                continue;
            }
            Dblock b = Dblock.decode(area, off);
            if (bLver > lver) {
                log.logf("%s ballot %d abort%d larger lver in bk[%d] %d:%d:%d:%d:%d:%d our dblock %d", tag, lver, phase,
                        q, b.mbal(), b.bal(), b.inp(), b.inp2(), b.inp3(), b.lver(), mbal);
                throw new BallotAbort();
            }
            if (Long.compareUnsigned(b.mbal(), mbal) > 0) {
                log.logf("%s ballot %d abort%d larger mbal in bk[%d] %d:%d:%d:%d:%d:%d our dblock %d", tag, lver, phase,
                        q, b.mbal(), b.bal(), b.inp(), b.inp2(), b.inp3(), b.lver(), mbal);
                throw new BallotAbort();
            }
            if (b.inp() != 0 && b.bal() != 0 && (best == null || Long.compareUnsigned(b.bal(), best.bal()) > 0)) {
                best = b;
            }
        }
        return best;
    }

    /**
     * After a phase-2 or commit I/O failure we may still become the owner (someone
     * may choose our block): mark our dblock RELEASED and release the leader if it
     * names us, ignoring failures (best effort, as the reference's retract).
     */
    private void retract(Token tok) {
        log.logf("%s paxos_acquire retract", tag);
        try {
            Dblock d = tok.dblock;
            if (d != null) {
                writeDblockSector(tok.hostId, d.withFlags(DiskFormat.DBLOCK_FL_RELEASED), null, tok.mine);
            }
            Leader l = readLeader(tok.hostId, tok.mine);
            if (l.timestamp() != 0 && l.ownerId() == tok.hostId && l.ownerGeneration() == tok.generation
                    && l.writeId() == tok.hostId) {
                writeLeader(l.withTimestamp(0).withWrite(tok.hostId, tok.generation, clock.seconds())
                        .withFlags(l.flags() & ~DiskFormat.LFL_SHORT_HOLD), tok.mine);
            }
        } catch (SanlockException e) {
            log.logf("%s paxos_acquire retract failed %d", tag, e.code());
        }
    }

    /** Shared acquire, after winning the short exclusive hold: record SHARED in my mode block, free the leader. */
    private void finishShared(Token tok) throws SanlockException {
        writeDblockSector(tok.hostId, tok.ballotDblock().withFlags(DiskFormat.DBLOCK_FL_RELEASED),
                new ModeBlock(DiskFormat.MBLOCK_SHARED, tok.generation), tok.mine);
        log.logf("%s paxos_acquire shared mode block written gen %d", tag, tok.generation);
        releaseLeader(tok);
        tok.shared = true;
        tok.held = true;
    }

    /** Exclusive acquire that saw SHARED mode blocks: clear dead holders; any live one → release, -11. */
    private void clearDeadShared(Token tok, OwnerView owners) throws SanlockException {
        int live = liveSharedHolders(tok, owners);
        if (live > 0) {
            try {
                release(tok);
            } catch (SanlockException e) {
                log.logf("%s clear_dead_shared release failed %d", tag, e.code());
            }
            throw new SanlockException(SanlockError.EAGAIN, "lease " + resourceName + " is held shared by "
                    + live + " live host(s)");
        }
    }

    // ---------------------------------------------------------------- convert

    /**
     * Converts a held lease between shared and exclusive (3.7). SH→EX runs the
     * acquire keeping my SHARED mode block in every dblock write, then clears dead
     * shared holders; if live ones remain it releases the leader again and fails
     * -11 still holding SH; else it clears my mode block. EX→SH writes RELEASED plus
     * a SHARED mode block, then releases the leader. Same mode: -114.
     */
    public void convert(Token tok, boolean toShared, OwnerView owners) throws SanlockException {
        if (!tok.held) {
            throw new SanlockException(SanlockError.ENOENT, "lease " + resourceName + " is not held");
        }
        if (tok.shared == toShared) {
            throw new SanlockException(SanlockError.EALREADY, "lease " + resourceName + " is already "
                    + (toShared ? "shared" : "exclusive"));
        }
        ModeBlock sharedMine = new ModeBlock(DiskFormat.MBLOCK_SHARED, tok.generation);
        if (toShared) {
            writeDblockSector(tok.hostId, tok.ballotDblock().withFlags(DiskFormat.DBLOCK_FL_RELEASED), sharedMine, tok.mine);
            releaseLeader(tok);
            tok.shared = true;
            log.logf("%s convert ex to sh lver %d", tag, tok.lver);
            return;
        }
        Token ex = new Token(tok.hostId, tok.generation, tok.mine);
        keepMode = sharedMine;
        try {
            acquireBallotOnly(ex, owners);
        } finally {
            keepMode = null;
        }
        int live = liveSharedHolders(ex, owners);
        if (live > 0) {
            // back to SH: keep my mode block, free the leader again
            writeDblockSector(ex.hostId, ex.ballotDblock().withFlags(DiskFormat.DBLOCK_FL_RELEASED), sharedMine, ex.mine);
            try {
                releaseLeader(ex);
            } catch (SanlockException e) {
                log.logf("%s convert release failed %d", tag, e.code());
            }
            tok.lver = ex.lver;
            tok.dblock = ex.dblock;
            throw new SanlockException(SanlockError.EAGAIN, "lease " + resourceName + " is also held shared by "
                    + live + " live host(s)");
        }
        writeDblockSector(ex.hostId, ex.ballotDblock(), ModeBlock.NONE, ex.mine);
        tok.committed = ex.committed;
        tok.dblock = ex.dblock;
        tok.lver = ex.lver;
        tok.shared = false;
        log.logf("%s convert sh to ex lver %d", tag, tok.lver);
    }

    private void acquireBallotOnly(Token ex, OwnerView owners) throws SanlockException {
        // an exclusive acquire without the shared-holder check (done by the caller)
        List<long[]> saved = new ArrayList<>();
        acquire(ex, new Options(false, 0, false, 0), owners, saved);
        sharedSeen.clear();
        sharedSeen.addAll(saved);
    }

    private int liveSharedHolders(Token tok, OwnerView owners) throws SanlockException {
        int live = 0;
        ByteBuffer buf = ByteBuffer.allocate(geometry.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] q : new ArrayList<>(sharedSeen)) {
            long hostId = q[0];
            buf.clear();
            disk.read(sectorOffset(DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + hostId - 1), buf, tok.mine.ioTimeoutNanos());
            ModeBlock mb = ModeBlock.decode(buf, 0);
            if (!mb.shared()) {
                continue;
            }
            long now = clock.seconds();
            if (owners != null && owners.hostLive(hostId, mb.generation(), now)) {
                log.logf("%s clear_dead_shared host_id %d gen %d alive", tag, hostId, mb.generation());
                live++;
                continue;
            }
            buf.clear();
            for (int i = 0; i < buf.capacity(); i++) {
                buf.put(i, (byte) 0);
            }
            disk.write(sectorOffset(DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + hostId - 1), buf, tok.mine.ioTimeoutNanos());
            log.logf("%s clear_dead_shared cleared shared lease for dead host_id %d gen %d", tag, hostId, mb.generation());
        }
        return live;
    }

    // ---------------------------------------------------------------- release

    /**
     * Releases (3.6; shared: 3.7): RELEASED into my dblock first, then the leader's
     * timestamp to 0 only if I wrote the leader and it is still exactly what I committed.
     */
    public void release(Token tok) throws SanlockException {
        release(tok, null);
    }

    /**
     * Releases as {@link #release(Token)}; a non-null {@code newName} replaces the
     * resource name in the leader the release writes (SANLK_REL_RENAME). A shared
     * release writes no leader and so renames nothing.
     */
    public void release(Token tok, @Nullable String newName) throws SanlockException {
        release(tok, newName, true);
    }

    /**
     * Releases as {@link #release(Token, String)}; with {@code markReleased} false the
     * dblock is left as the ballot wrote it (no RELEASED flag) and only the leader is
     * released: how sanlock 3.8.5 releases a resource index's {@code rindex_lease}
     * (ondisk.md 7, observed: its dblock flags stay 0).
     */
    public void release(Token tok, @Nullable String newName, boolean markReleased) throws SanlockException {
        if (!tok.held) {
            return;
        }
        if (tok.shared) {
            writeDblockSector(tok.hostId, tok.ballotDblock().withFlags(DiskFormat.DBLOCK_FL_RELEASED), ModeBlock.NONE, tok.mine);
            log.logf("%s paxos_release shared done %d", tag, tok.lver);
            tok.held = false;
            return;
        }
        if (markReleased) {
            writeDblockSector(tok.hostId, tok.ballotDblock().withFlags(DiskFormat.DBLOCK_FL_RELEASED), ModeBlock.NONE, tok.mine);
        }
        releaseLeader(tok, newName);
        tok.held = false;
    }

    private void releaseLeader(Token tok) throws SanlockException {
        releaseLeader(tok, null);
    }

    private void releaseLeader(Token tok, @Nullable String newName) throws SanlockException {
        Leader l = readLeader(tok.hostId, tok.mine);
        if (l.writeId() != tok.hostId) {
            log.logf("%s paxos_release %d skip leader written by %d", tag, tok.lver, l.writeId());
            return;
        }
        if (l.lver() != tok.lver) {
            log.logf("%s paxos_release %d other lver %d", tag, tok.lver, l.lver());
            throw new SanlockException(SanlockError.RELEASE_LVER, "lease " + resourceName + " has lver " + l.lver()
                    + ", we held " + tok.lver);
        }
        if (l.timestamp() == 0) {
            log.logf("%s paxos_release %d already free", tag, tok.lver);
            throw new SanlockException(SanlockError.RELEASE_OWNER, "lease " + resourceName + " is already free");
        }
        if (l.ownerId() != tok.hostId || l.ownerGeneration() != tok.generation) {
            log.logf("%s paxos_release %d other owner %d %d", tag, tok.lver, l.ownerId(), l.ownerGeneration());
            throw new SanlockException(SanlockError.RELEASE_OWNER, "lease " + resourceName + " is owned by "
                    + l.ownerId() + "/" + l.ownerGeneration());
        }
        if (!l.equals(tok.committed)) {
            log.logf("%s paxos_release %d leader changed", tag, tok.lver);
            throw new SanlockException(SanlockError.RELEASE_OWNER, "leader of " + resourceName
                    + " changed since we committed it");
        }
        Leader rel = l.withTimestamp(0).withWrite(tok.hostId, tok.generation, clock.seconds())
                .withFlags(l.flags() & ~DiskFormat.LFL_SHORT_HOLD);
        if (newName != null) {
            rel = rel.withResourceName(newName);
        }
        writeLeader(rel, tok.mine);
        log.logf("%s paxos_release %d done", tag, tok.lver);
    }

    // --------------------------------------------------------------- requests

    /**
     * Writes a request record (3.8). Returns the owner to notify (0 when the lease
     * is free and nothing was written, or when the request was cleared).
     */
    public long request(long lver, int forceMode, boolean nextLver, Timeouts t) throws SanlockException {
        if (lver == 0 && forceMode == 0 && !nextLver) {
            readRequest(t);
            writeRequest(RequestRecord.of(0, 0), t);
            log.logf("%s request cleared", tag);
            return 0;
        }
        Leader l = readLeader(0, t);
        if (l.timestamp() == 0) {
            log.logf("%s request lease free, nothing written", tag);
            return 0;
        }
        if (lver == 0 && nextLver) {
            lver = l.lver() + 1;
        }
        if (l.lver() >= lver) {
            throw new SanlockException(SanlockError.REQUEST_OLD, "requested lver " + lver + " is not above the lease's "
                    + l.lver());
        }
        RequestRecord r = readRequest(t);
        if (r.lver() > lver) {
            throw new SanlockException(SanlockError.REQUEST_LVER, "request record already asks for lver " + r.lver());
        }
        writeRequest(RequestRecord.of(lver, forceMode), t);
        log.logf("%s request lver %d force %d owner %d", tag, lver, forceMode, l.ownerId());
        return l.ownerId();
    }

    private void writeRequest(RequestRecord r, Timeouts t) throws SanlockException {
        clearSector();
        r.encode(sector, 0);
        sector.clear();
        disk.write(sectorOffset(DiskFormat.PAXOS_REQUEST_SECTOR), sector, t.ioTimeoutNanos());
    }

    public String resourceName() {
        return resourceName;
    }

    public String spaceName() {
        return spaceName;
    }

    public long offset() {
        return offset;
    }
}
