package io.jsanlock.lease;

import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.base.log.LogRing;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.HostIdBitmap;
import io.jsanlock.format.Leader;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Fault;
import io.jsanlock.testkit.FaultyStorage.Match;
import io.jsanlock.testkit.FaultyStorage.Op;
import io.jsanlock.testkit.ManualClock;
import io.jsanlock.testkit.MemoryStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each step of the delta lease (algorithms.md 2.2–2.5) on an injected clock and storage. */
class DeltaLeaseTest {
    static final Geometry G = Geometry.S512_A1M;
    final ManualClock clock = new ManualClock(1000);
    final MemoryStorage mem = new MemoryStorage(2 << 20);
    final FaultyStorage disk = new FaultyStorage(mem, clock);
    final LogRing log = new LogRing(clock, 1000);

    DeltaLease host(long id, String name, int n) throws SanlockException {
        return new DeltaLease(disk, 0, G, "LS", id, name, Timeouts.of(n), clock, log);
    }

    Leader slot(long id) {
        ByteBuffer b = ByteBuffer.wrap(mem.copy((id - 1) * 512, 512)).order(ByteOrder.LITTLE_ENDIAN);
        return Leader.decode(b, 0);
    }

    /** Writes a slot as another host would (through the codec, valid checksum). */
    void putSlot(long id, Leader l) {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        l.encode(b, 0);
        mem.poke((id - 1) * 512, b.array());
    }

    @Test
    void joinOfAFreeSlotWritesWaitsTheStoredIoTimeoutAndVerifies() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 10);
        disk.clearHistory();
        long gen = host(1, "hostA", 1).join(() -> false);
        assertThat(gen).isEqualTo(1);
        // the short delay comes from the slot's io_timeout (10), not mine (1): 20 s (M2)
        assertThat(clock.seconds()).isEqualTo(1020);
        Leader l = slot(1);
        assertThat(l.ownerId()).isEqualTo(1);
        assertThat(l.ownerGeneration()).isEqualTo(1);
        assertThat(l.timestamp()).isEqualTo(1000);
        assertThat(l.ioTimeout()).isEqualTo(1);
        assertThat(l.resourceName()).isEqualTo("hostA");
        assertThat(Leader.checksumValid(ByteBuffer.wrap(mem.copy(0, 512)).order(ByteOrder.LITTLE_ENDIAN), 0)).isTrue();
        assertThat(disk.history()).extracting(FaultyStorage.Io::op).containsExactly(Op.READ, Op.WRITE, Op.READ);
        assertThat(disk.history()).allMatch(io -> io.timeoutNanos() == 1_000_000_000L && io.length() == 512);
        assertThat(log.dump()).contains("delta_acquire other_io_timeout 10 our 1", "delta_short_delay 20");
    }

    @Test
    void joinWithMatchingStoredIoTimeoutTakesTwoIoTimeouts() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        host(2, "hostB", 1).join(() -> false);
        assertThat(clock.seconds()).isEqualTo(1002);
    }

    @Test
    void slotHeldByADeadOtherNameIsTakenAfterHostDeadSeconds() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        host(1, "old", 1).join(() -> false);
        long t0 = clock.seconds();
        long gen = host(1, "new", 1).join(() -> false);
        assertThat(clock.seconds() - t0).isEqualTo(68 + 2);
        assertThat(gen).isEqualTo(2);
        assertThat(slot(1).resourceName()).isEqualTo("new");
        assertThat(log.dump()).contains("delta_large_delay 8 delay 68");
    }

    @Test
    void slotHeldByALiveOtherNameFailsWithHostIdBusy() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        DeltaLease a = host(1, "live", 1);
        a.join(() -> false);
        // the holder renews while we wait: our re-read after 68 s differs
        DeltaLease b = host(1, "intruder", 1);
        final int[] reads = {0};
        disk.before(Match.read(0), -1, () -> {
            if (++reads[0] == 2) {
                putSlot(1, slot(1).withTimestamp(clock.seconds()));
            }
        });
        long t0 = clock.seconds();
        assertThatThrownBy(() -> b.join(() -> false)).isInstanceOf(SanlockException.class)
                .is(failsWith(SanlockError.HOSTID_BUSY));
        assertThat(clock.seconds() - t0).isEqualTo(68);
        assertThat(slot(1).resourceName()).isEqualTo("live");
    }

    @Test
    void sameNameRejoinsAtOnceWithTheNextGeneration() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        host(1, "hostA", 1).join(() -> false);
        long t0 = clock.seconds();
        assertThat(host(1, "hostA", 1).join(() -> false)).isEqualTo(2);
        assertThat(clock.seconds() - t0).isEqualTo(2);
        assertThat(log.dump()).contains("fast reacquire");
    }

    @Test
    void aCompetitorWriteDuringTheShortDelayMakesTheJoinFail() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        final int[] reads = {0};
        disk.before(Match.read(0), -1, () -> {
            if (++reads[0] == 2) { // the verification read: competitor's write landed in between
                putSlot(1, slot(1).withResourceName("other").withOwner(1, 1, 4242));
            }
        });
        assertThatThrownBy(() -> host(1, "hostA", 1).join(() -> false))
                .is(failsWith(SanlockError.HOSTID_BUSY));
        assertThat(log.dump()).contains("busy2");
    }

    @Test
    void anAbortDuringTheShortDelayFailsWith201AndLeavesTheSlotWritten() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        long start = clock.seconds();
        assertThatThrownBy(() -> host(1, "hostA", 1).join(() -> clock.seconds() > start))
                .is(failsWith(SanlockError.ERROR));
        assertThat(slot(1).timestamp()).isEqualTo(start);
        assertThat(slot(1).ownerGeneration()).isEqualTo(1);
    }

    @Test
    void renewalReadsTheWholeAreaWritesOneSectorWithBitmapAndTheLongTimeout() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        DeltaLease a = host(3, "hostC", 1);
        a.join(() -> false);
        clock.advanceSeconds(3);
        disk.clearHistory();
        byte[] bitmap = new byte[256];
        bitmap[0] = 0x02; // ask host 2 to look
        final ByteBuffer[] seen = {null};
        long ts = a.renew(bitmap, new long[] {1, 7, 99}, (area, now) -> seen[0] = area);
        assertThat(ts).isEqualTo(1005);
        List<FaultyStorage.Io> h = disk.history();
        assertThat(h).hasSize(2);
        assertThat(h.get(0)).isEqualTo(new FaultyStorage.Io(Op.READ, 0, 1 << 20, 1_000_000_000L));
        assertThat(h.get(1)).isEqualTo(new FaultyStorage.Io(Op.WRITE, 1024, 512, 68_000_000_000L));
        assertThat(seen[0]).isNotNull();
        Leader l = slot(3);
        assertThat(l.timestamp()).isEqualTo(1005);
        assertThat(l.writeId()).isEqualTo(1);
        assertThat(l.writeGeneration()).isEqualTo(7);
        assertThat(l.writeTimestamp()).isEqualTo(99);
        assertThat(HostIdBitmap.isSet(ByteBuffer.wrap(mem.copy(1024, 512)), 0, 2)).isTrue();
        assertThat(HostIdBitmap.isSet(ByteBuffer.wrap(mem.copy(1024, 512)), 0, 1)).isFalse();
    }

    @Test
    void renewalFindsAnotherOwnerAndThenReleaseWritesNothing() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        DeltaLease a = host(1, "hostA", 1);
        a.join(() -> false);
        putSlot(1, slot(1).withResourceName("thief").withOwner(1, 2, 5));
        clock.advanceSeconds(2);
        assertThatThrownBy(() -> a.renew(null, null, null))
                .is(failsWith(SanlockError.RENEW_OWNER));
        assertThat(DeltaLease.isCorrupt(SanlockError.RENEW_OWNER.code())).isTrue();
        assertThat(a.release()).isFalse();
        assertThat(slot(1).resourceName()).isEqualTo("thief");
        assertThat(slot(1).timestamp()).isEqualTo(5);
    }

    @Test
    void renewalNoticesAnyChangeToWhatItLastWrote() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        DeltaLease a = host(1, "hostA", 1);
        a.join(() -> false);
        putSlot(1, slot(1).withTimestamp(1)); // same identity, different record
        assertThatThrownBy(() -> a.renew(null, null, null))
                .is(failsWith(SanlockError.RENEW_DIFF));
    }

    @Test
    void aTornRenewalWriteIsCaughtByTheChecksumOnTheNextRenewal() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        DeltaLease a = host(1, "hostA", 1);
        a.join(() -> false);
        clock.advanceSeconds(2);
        // only the first 160 bytes land: new timestamp bytes... but the old checksum stays
        disk.inject(Match.write(0), Fault.TORN, 160, SanlockError.EIO, 1);
        assertThatThrownBy(() -> a.renew(null, null, null))
                .is(failsWith(SanlockError.EIO));
        assertThat(a.lastRenewalOk()).isFalse();
        clock.advanceSeconds(1);
        assertThatThrownBy(() -> a.renew(null, null, null))
                .is(failsWith(SanlockError.LEADER_CHECKSUM));
        assertThat(DeltaLease.isCorrupt(SanlockError.LEADER_CHECKSUM.code())).isTrue();
    }

    @Test
    void aTimedOutReadIsTransientAndTheNextRenewalChecksIdentityOnly() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        DeltaLease a = host(1, "hostA", 1);
        a.join(() -> false);
        disk.inject(Match.read(0), Fault.TIMEOUT, 1);
        long t0 = clock.seconds();
        assertThatThrownBy(() -> a.renew(null, null, null))
                .is(failsWith(SanlockError.AIO_TIMEOUT));
        assertThat(clock.seconds() - t0).isEqualTo(1); // waited its io_timeout
        assertThat(DeltaLease.isCorrupt(SanlockError.AIO_TIMEOUT.code())).isFalse();
        // a write that timed out but landed: the record differs from what we believe, identity holds
        disk.inject(Match.write(0), Fault.TIMEOUT_THEN_LAND, 1);
        clock.advanceSeconds(1);
        assertThatThrownBy(() -> a.renew(null, null, null))
                .is(failsWith(SanlockError.AIO_TIMEOUT));
        clock.advanceSeconds(1);
        long ts = a.renew(null, null, null);
        assertThat(slot(1).timestamp()).isEqualTo(ts);
        assertThat(a.lastSuccess()).isEqualTo(ts);
    }

    @Test
    void releaseWritesTimestampZeroKeepingIdentity() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        DeltaLease a = host(2, "hostB", 1);
        a.join(() -> false);
        clock.advanceSeconds(2);
        byte[] bitmap = new byte[256];
        bitmap[0] = 1;
        a.renew(bitmap, null, null);
        assertThat(a.release()).isTrue();
        Leader l = slot(2);
        assertThat(l.timestamp()).isZero();
        assertThat(l.ownerId()).isEqualTo(2);
        assertThat(l.ownerGeneration()).isEqualTo(1);
        assertThat(l.resourceName()).isEqualTo("hostB");
        assertThat(HostIdBitmap.isSet(ByteBuffer.wrap(mem.copy(512, 512)), 0, 1)).isFalse();
        assertThat(log.dump()).contains("delta_release done 2 1 0");
    }

    @Test
    void badInputIsRefusedWithSanlockCodes() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        assertThatThrownBy(() -> host(2001, "x", 1))
                .is(failsWith(SanlockError.ADDLS_INVALID_HOSTID));
        assertThatThrownBy(() -> host(1, "x".repeat(48), 1))
                .is(failsWith(SanlockError.EINVAL));
        assertThatThrownBy(() -> new DeltaLease(disk, 0, G, "OTHER", 1, "x", Timeouts.of(1), clock, log).join(() -> false))
                .is(failsWith(SanlockError.LEADER_LOCKSPACE));
        assertThat(DeltaLease.readGeometry(disk, 0, "LS", Timeouts.of(1))).isEqualTo(G);
        assertThatThrownBy(() -> DeltaLease.readGeometry(disk, 1 << 20, "LS", Timeouts.of(1)))
                .is(failsWith(SanlockError.LEADER_MAGIC));
    }

    /**
     * Renewals borrow their 1 MiB area buffer and give it back, also when the read fails: a
     * host in 100 lockspaces once kept 100 such buffers on the heap and ran out of it at ~50.
     */
    @Test
    void renewalsOfManyLockspacesShareOneAreaBuffer() throws Exception {
        Areas.initLockspace(mem, 0, G, "LS", 1);
        BufferPool pool = new BufferPool(4);
        List<DeltaLease> hosts = new java.util.ArrayList<>();
        for (int id = 1; id <= 20; id++) {
            DeltaLease d = new DeltaLease(disk, 0, G, "LS", id, "host" + id, Timeouts.of(1), clock, log, pool);
            d.join(() -> false);
            hosts.add(d);
        }
        for (int round = 0; round < 3; round++) {
            clock.advanceSeconds(2);
            for (DeltaLease d : hosts) {
                d.renew(null, null, (area, now) -> assertThat(area.capacity()).isGreaterThanOrEqualTo(G.alignSize()));
            }
        }
        disk.inject(Match.any(Op.READ), Fault.ERROR, 1);
        assertThatThrownBy(() -> hosts.get(0).renew(null, null, null)).isInstanceOf(SanlockException.class);
        assertThat(pool.allocated()).as("one buffer, reused by 60 renewals and a failed one").isEqualTo(1);
    }
}
