package io.jsanlock.lease;

import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.Dblock;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.ModeBlock;
import io.jsanlock.format.RequestRecord;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.FaultyStorage.Op;
import io.jsanlock.testkit.ManualClock;
import io.jsanlock.testkit.MemoryStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each step of the paxos lease (algorithms.md 3) with an injected clock and storage. */
class PaxosLeaseTest {
    static final Geometry G = Geometry.S512_A1M;
    static final long RES = 1 << 20;
    static final long DBLOCK1 = RES + 2 * 512;
    final ManualClock clock = new ManualClock(1000);
    final MemoryStorage mem = new MemoryStorage(3 << 20);
    final FaultyStorage disk = new FaultyStorage(mem, clock);
    final LogRing log = new LogRing(clock, 5000);
    final BufferPool pool = new BufferPool(4);
    final Random random = new Random(42);
    LockspaceMember a;
    LockspaceMember b;

    @BeforeEach
    void setUp() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        Areas.initResource(mem, RES, G, "LS", "R", 0);
        a = member(1, "hostA");
        b = member(2, "hostB");
    }

    LockspaceMember member(long id, String name) throws SanlockException {
        DeltaLease d = new DeltaLease(disk, 0, G, "LS", id, name, Timeouts.of(1), clock, log);
        d.join(() -> false);
        return new LockspaceMember(d, clock);
    }

    PaxosLease lease() {
        return new PaxosLease(disk, RES, G, "LS", "R", clock, log, random, pool);
    }

    PaxosLease.Token token(LockspaceMember m) {
        return new PaxosLease.Token(m.delta().hostId(), m.delta().generation(), m.delta().timeouts());
    }

    PaxosLease.Token acquire(LockspaceMember m, PaxosLease.Options o) throws SanlockException {
        PaxosLease.Token t = token(m);
        lease().acquire(t, o, m);
        return t;
    }

    int code(Throwable e) {
        return ((SanlockException) e).code();
    }

    Leader leader() {
        return Leader.decode(ByteBuffer.wrap(mem.copy(RES, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
    }

    ByteBuffer dsector(long hostId) {
        return ByteBuffer.wrap(mem.copy(RES + (1 + hostId) * 512, 512)).order(ByteOrder.LITTLE_ENDIAN);
    }

    Dblock dblock(long hostId) {
        return Dblock.decode(dsector(hostId), 0);
    }

    void renewBoth() throws SanlockException {
        clock.advanceSeconds(2);
        a.renew(null, null, null);
        b.renew(null, null, null);
    }

    @Test
    void acquiringAFreeLeaseTakesSixIosAndLeavesTheReferencesRecords() throws Exception {
        disk.clearHistory();
        long now = clock.seconds();
        PaxosLease.Token t = acquire(a, PaxosLease.Options.EXCLUSIVE);
        assertThat(t.lver()).isEqualTo(1);
        assertThat(disk.history()).extracting(io -> io.op() + "@" + io.offset() + "/" + io.length()).containsExactly(
                "READ@" + RES + "/1048576",
                "WRITE@" + DBLOCK1 + "/512", "READ@" + RES + "/1048576",
                "WRITE@" + DBLOCK1 + "/512", "READ@" + RES + "/1048576",
                "WRITE@" + RES + "/512");
        Leader l = leader();
        assertThat(l.ownerId()).isEqualTo(1);
        assertThat(l.ownerGeneration()).isEqualTo(1);
        assertThat(l.lver()).isEqualTo(1);
        assertThat(l.timestamp()).isEqualTo(now);
        assertThat(l.writeId()).isEqualTo(1);
        assertThat(l.writeGeneration()).isEqualTo(1);
        assertThat(l.writeTimestamp()).isEqualTo(now);
        assertThat(l.flags()).isEqualTo(DiskFormat.LFL_ALIGN_1M);
        assertThat(dblock(1)).isEqualTo(new Dblock(1, 1, 1, 1, now, 1, dblock(1).checksum(), 0));
        assertThat(Dblock.valid(dsector(1), 0)).isTrue();
        assertThat(log.dump()).contains("ballot 1 phase1 write mbal 1", "ballot 1 commit self owner 1 1 " + now);
    }

    @Test
    void releaseMarksMyDblockReleasedThenFreesTheLeaderKeepingTheOwner() throws Exception {
        PaxosLease.Token t = acquire(a, PaxosLease.Options.EXCLUSIVE);
        disk.clearHistory();
        clock.advanceSeconds(3);
        lease().release(t);
        assertThat(disk.history()).extracting(io -> io.op() + "@" + io.offset()).containsExactly(
                "WRITE@" + DBLOCK1, "READ@" + RES, "WRITE@" + RES);
        Leader l = leader();
        assertThat(l.timestamp()).isZero();
        assertThat(l.ownerId()).isEqualTo(1);
        assertThat(l.lver()).isEqualTo(1);
        assertThat(l.writeTimestamp()).isEqualTo(clock.seconds());
        assertThat(dblock(1).flags()).isEqualTo(DiskFormat.DBLOCK_FL_RELEASED);
        assertThat(dblock(1).mbal()).isEqualTo(1);
        assertThat(ModeBlock.decode(dsector(1), 0)).isEqualTo(ModeBlock.NONE);
        assertThat(t.held()).isFalse();
    }

    @Test
    void ballotNumbersFollowTheReferencesSequence() throws Exception {
        // observed (M11): 1, 2002, 4001, 6001, 8002, 10002, 12001 for hosts 1,2,1,1,2,2,1
        long[] hosts = {1, 2, 1, 1, 2, 2, 1};
        List<Long> mbals = new ArrayList<>();
        for (long h : hosts) {
            LockspaceMember m = h == 1 ? a : b;
            PaxosLease.Token t = acquire(m, PaxosLease.Options.EXCLUSIVE);
            mbals.add(dblock(h).mbal());
            lease().release(t);
        }
        assertThat(mbals).containsExactly(1L, 2002L, 4001L, 6001L, 8002L, 10002L, 12001L);
        assertThat(leader().lver()).isEqualTo(7);
    }

    @Test
    void aLiveOwnerSeenMovingInMyLastScanIsRefusedAtOnce() throws Exception {
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        renewBoth();
        renewBoth(); // b's scans have now seen a's timestamp move
        long t0 = clock.nanos();
        assertThatThrownBy(() -> acquire(b, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.ACQUIRE_IDLIVE));
        assertThat(clock.nanos()).isEqualTo(t0);
        assertThat(leader().ownerId()).isEqualTo(1);
    }

    @Test
    void withoutAFreshViewTheOwnersNextRenewalGivesIdLive() throws Exception {
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        int[] reads = {0};
        disk.before((op, off, len) -> op == Op.READ && off == 0 && len == 512, -1, () -> {
            if (++reads[0] == 3) {
                try {
                    a.renew(null, null, null); // the owner's renewal lands 2 s into the wait
                } catch (SanlockException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        long t0 = clock.seconds();
        assertThatThrownBy(() -> acquire(b, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.ACQUIRE_IDLIVE));
        assertThat(clock.seconds() - t0).isEqualTo(2);
    }

    @Test
    void aDeadOwnerIsTakenOverOnlyAfterHostDeadSecondsSinceIWatchedItsLastRenewal() throws Exception {
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        renewBoth();
        long lastSeenMove = clock.seconds(); // b's scan saw a's final renewal here
        clock.advanceSeconds(2);
        b.renew(null, null, null); // a is now halted: no change seen
        assertThat(b.table().status(1).lastLive()).isEqualTo(lastSeenMove);
        PaxosLease.Token t = acquire(b, PaxosLease.Options.EXCLUSIVE);
        // first poll where now - wait_start > 8N+W = 68, i.e. +69 (M8: "dead 1175-1106>68")
        assertThat(clock.seconds()).isEqualTo(lastSeenMove + 69);
        assertThat(t.lver()).isEqualTo(2);
        assertThat(leader().ownerId()).isEqualTo(2);
        assertThat(log.dump()).contains("dead " + (lastSeenMove + 69) + "-" + lastSeenMove + ">68");
    }

    @Test
    void anOwnerWithALargerIoTimeoutIsJudgedWithItsOwnNotMine() throws Exception {
        // the owner joined with io_timeout 10 (its slot advertises it); I use 1
        LockspaceMember slow = new LockspaceMember(
                new DeltaLease(disk, 0, G, "LS", 3, "hostC", Timeouts.of(10), clock, log), clock);
        slow.delta().join(() -> false);
        PaxosLease.Token t = token(slow);
        lease().acquire(t, PaxosLease.Options.EXCLUSIVE, slow);
        clock.advanceSeconds(20);
        slow.renew(null, null, null);
        b.renew(null, null, null);
        long seen = clock.seconds(); // b's scan saw the owner's final renewal now
        clock.advanceSeconds(2);
        b.renew(null, null, null);
        assertThat(b.table().status(3).ioTimeout()).isEqualTo(10);
        PaxosLease.Token tb = acquire(b, PaxosLease.Options.EXCLUSIVE);
        // 8*10 + 60 = 140, first poll past it: +141 (M7: "dead 743-602>140") — not my 68
        assertThat(clock.seconds()).isEqualTo(seen + 141);
        assertThat(tb.lver()).isEqualTo(2);
        assertThat(log.dump()).contains(">140");
    }

    @Test
    void ownerNoWaitGivesOwnedRetryWhileTheOwnerIsNotYetDead() throws Exception {
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        renewBoth();
        clock.advanceSeconds(2);
        b.renew(null, null, null);
        assertThatThrownBy(() -> acquire(b, new PaxosLease.Options(false, 0, true, 0)))
                .is(failsWith(SanlockError.ACQUIRE_OWNED_RETRY));
    }

    @Test
    void anOwnerThatLeftTheLockspaceLosesItsLeaseAtOnce() throws Exception {
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        renewBoth();
        a.delta().release();
        long t0 = clock.seconds();
        PaxosLease.Token t = acquire(b, PaxosLease.Options.EXCLUSIVE);
        assertThat(clock.seconds()).isEqualTo(t0);
        assertThat(t.lver()).isEqualTo(2);
        assertThat(log.dump()).contains("delta free");
    }

    @Test
    void theSameHostReacquiresItsOwnLeaseAfterRejoiningAndAfterALostRelease() throws Exception {
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        // lost release: same generation on disk
        PaxosLease.Token t2 = acquire(a, PaxosLease.Options.EXCLUSIVE);
        assertThat(t2.lver()).isEqualTo(2);
        // rejoin with a new generation: the old-generation lease is ours to take
        LockspaceMember a2 = member(1, "hostA");
        assertThat(a2.delta().generation()).isEqualTo(2);
        long t0 = clock.seconds();
        PaxosLease.Token t3 = acquire(a2, PaxosLease.Options.EXCLUSIVE);
        assertThat(clock.seconds()).isEqualTo(t0);
        assertThat(t3.lver()).isEqualTo(3);
        assertThat(leader().ownerGeneration()).isEqualTo(2);
        assertThat(log.dump()).contains("was old local new is 2");
    }

    @Test
    void aRequiredLverMustMatch() throws Exception {
        lease().release(acquire(a, PaxosLease.Options.EXCLUSIVE));
        assertThatThrownBy(() -> acquire(b, new PaxosLease.Options(false, 5, false, 0)))
                .is(failsWith(SanlockError.ACQUIRE_LVER));
        assertThat(acquire(b, new PaxosLease.Options(false, 1, false, 0)).lver()).isEqualTo(2);
    }

    @Test
    void sharedHoldersLiveInModeBlocksAndExclusiveIsRefusedWhileOneIsLive() throws Exception {
        PaxosLease.Token sa = acquire(a, PaxosLease.Options.SHARED);
        PaxosLease.Token sb = acquire(b, PaxosLease.Options.SHARED);
        assertThat(sa.lver()).isEqualTo(1);
        assertThat(sb.lver()).isEqualTo(2);
        assertThat(ModeBlock.decode(dsector(1), 0)).isEqualTo(new ModeBlock(DiskFormat.MBLOCK_SHARED, 1));
        assertThat(ModeBlock.decode(dsector(2), 0)).isEqualTo(new ModeBlock(DiskFormat.MBLOCK_SHARED, 1));
        assertThat(dblock(1).released()).isTrue();
        assertThat(leader().timestamp()).isZero();
        assertThat(leader().flags() & DiskFormat.LFL_SHORT_HOLD).isZero();
        lease().release(sb);
        assertThat(ModeBlock.decode(dsector(2), 0)).isEqualTo(ModeBlock.NONE);
        renewBoth();
        assertThatThrownBy(() -> acquire(b, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.EAGAIN));
        assertThat(log.dump()).contains("clear_dead_shared host_id 1 gen 1 alive");
        assertThat(leader().timestamp()).as("the short exclusive hold was released").isZero();
        assertThat(ModeBlock.decode(dsector(1), 0).shared()).isTrue();
    }

    @Test
    void aDeadSharedHolderIsClearedByAnExclusiveAcquire() throws Exception {
        acquire(a, PaxosLease.Options.SHARED);
        renewBoth();
        for (int i = 0; i < 36; i++) { // a halted: b keeps renewing for 72 s
            clock.advanceSeconds(2);
            b.renew(null, null, null);
        }
        PaxosLease.Token t = acquire(b, PaxosLease.Options.EXCLUSIVE);
        assertThat(t.held()).isTrue();
        assertThat(dsector(1).getLong(0)).isZero();
        assertThat(log.dump()).contains("cleared shared lease for dead host_id 1");
    }

    @Test
    void sharedAcquireAgainstALiveExclusiveOwnerIsIdLive() throws Exception {
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        renewBoth();
        renewBoth();
        assertThatThrownBy(() -> acquire(b, PaxosLease.Options.SHARED))
                .is(failsWith(SanlockError.ACQUIRE_IDLIVE));
    }

    @Test
    void convertBetweenSharedAndExclusive() throws Exception {
        PaxosLease pa = lease();
        PaxosLease.Token ta = token(a);
        pa.acquire(ta, PaxosLease.Options.SHARED, a);
        assertThatThrownBy(() -> pa.convert(ta, true, a))
                .is(failsWith(SanlockError.EALREADY));
        PaxosLease.Token tb = acquire(b, PaxosLease.Options.SHARED);
        renewBoth();
        // b still holds SH and is live: a stays SH, -11
        assertThatThrownBy(() -> pa.convert(ta, false, a))
                .is(failsWith(SanlockError.EAGAIN));
        assertThat(ta.shared()).isTrue();
        assertThat(ModeBlock.decode(dsector(1), 0).shared()).isTrue();
        assertThat(leader().timestamp()).isZero();
        lease().release(tb);
        pa.convert(ta, false, a);
        assertThat(ta.shared()).isFalse();
        assertThat(ModeBlock.decode(dsector(1), 0)).isEqualTo(ModeBlock.NONE);
        assertThat(leader().ownerId()).isEqualTo(1);
        assertThat(leader().timestamp()).isNotZero();
        assertThat(leader().lver()).isEqualTo(ta.lver());
        // and back to shared: RELEASED + SHARED mode block, leader freed
        pa.convert(ta, true, a);
        assertThat(ModeBlock.decode(dsector(1), 0)).isEqualTo(new ModeBlock(DiskFormat.MBLOCK_SHARED, 1));
        assertThat(dblock(1).released()).isTrue();
        assertThat(leader().timestamp()).isZero();
        pa.release(ta);
        assertThat(ModeBlock.decode(dsector(1), 0)).isEqualTo(ModeBlock.NONE);
    }

    @Test
    void aCorruptDblockFailsTheFirstRead() throws Exception {
        mem.poke(RES + 4 * 512, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> acquire(a, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.DBLOCK_CHECKSUM));
    }

    @Test
    void aFailedPhaseTwoWriteRetractsMyBlock() throws Exception {
        int[] writes = {0};
        disk.inject((op, off, len) -> op == Op.WRITE && off == DBLOCK1 && ++writes[0] == 2, Fault.ERROR, 1);
        assertThatThrownBy(() -> acquire(a, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.DBLOCK_WRITE));
        assertThat(dblock(1).released()).isTrue();
        assertThat(leader().timestamp()).isZero();
        assertThat(log.dump()).contains("retract");
    }

    @Test
    void aTimedOutLeaderReadFailsWithAioTimeoutAfterMyIoTimeout() throws Exception {
        disk.inject(FaultyStorage.Match.read(RES), Fault.TIMEOUT, 1);
        long t0 = clock.seconds();
        assertThatThrownBy(() -> acquire(a, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.AIO_TIMEOUT));
        assertThat(clock.seconds() - t0).isEqualTo(1);
    }

    @Test
    void aCompetitorThatCommitsFirstMakesMyBallotAbortAndFailOwned() throws Exception {
        // b writes its phase-1 block; before b reads, a runs a whole acquire (mbal 2001 > 2)
        boolean[] done = {false};
        disk.before((op, off, len) -> op == Op.READ && off == RES && len == (1 << 20), -1, () -> {
            if (!done[0] && dblock(2).mbal() == 2 && dblock(2).bal() == 0) {
                done[0] = true;
                try {
                    acquire(a, PaxosLease.Options.EXCLUSIVE);
                } catch (SanlockException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertThatThrownBy(() -> acquire(b, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.ACQUIRE_OWNED));
        assertThat(dblock(1).mbal()).isEqualTo(2001);
        assertThat(leader().ownerId()).isEqualTo(1);
        assertThat(log.dump()).contains("abort1 larger mbal");
    }

    @Test
    void aBallotThatFindsAnotherProposalCommitsItAndFailsOther() throws Exception {
        // before b's phase-1 read, a's phase-2 block (bal 1, lver 1) is on disk
        boolean[] done = {false};
        disk.before((op, off, len) -> op == Op.READ && off == RES && len == (1 << 20), -1, () -> {
            if (!done[0] && dblock(2).mbal() == 2) {
                done[0] = true;
                ByteBuffer s = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
                new Dblock(1, 1, 1, 1, 777, 1, 0, 0).encode(s, 0);
                mem.poke(DBLOCK1, s.array());
            }
        });
        assertThatThrownBy(() -> acquire(b, PaxosLease.Options.EXCLUSIVE))
                .is(failsWith(SanlockError.ACQUIRE_OTHER));
        Leader l = leader();
        assertThat(l.ownerId()).isEqualTo(1);
        assertThat(l.timestamp()).isEqualTo(777);
        assertThat(l.writeId()).isEqualTo(2);
        assertThat(dblock(2).inp()).isEqualTo(1);
    }

    @Test
    void requestsNeedANewerLverAndAreReadable() throws Exception {
        PaxosLease p = lease();
        Timeouts t = Timeouts.of(1);
        assertThat(p.request(5, 1, false, t)).as("free lease: nothing written").isZero();
        assertThat(p.readRequest(t)).isEqualTo(RequestRecord.EMPTY);
        acquire(a, PaxosLease.Options.EXCLUSIVE);
        assertThatThrownBy(() -> p.request(1, 1, false, t))
                .is(failsWith(SanlockError.REQUEST_OLD));
        assertThat(p.request(3, 2, false, t)).isEqualTo(1);
        assertThat(p.readRequest(t)).isEqualTo(RequestRecord.of(3, 2));
        assertThatThrownBy(() -> p.request(2, 1, false, t))
                .is(failsWith(SanlockError.REQUEST_LVER));
        // "next lver" resolves to 2, below the recorded 3
        assertThatThrownBy(() -> p.request(0, 1, true, t))
                .is(failsWith(SanlockError.REQUEST_LVER));
        assertThat(p.request(3, 1, false, t)).as("equal lver is fine").isEqualTo(1);
        assertThat(p.readRequest(t)).isEqualTo(RequestRecord.of(3, 1));
        assertThat(p.request(0, 0, false, t)).isZero();
        assertThat(p.readRequest(t)).isEqualTo(RequestRecord.EMPTY);
    }
}
