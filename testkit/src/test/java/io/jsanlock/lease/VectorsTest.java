package io.jsanlock.lease;

import io.jsanlock.testkit.Reference;
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
import io.jsanlock.testkit.ManualClock;
import io.jsanlock.testkit.MemoryStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The live state recorded in ../shared/vectors (written by sanlock 3.8.5 daemons),
 * interpreted by the lease layer: who owns what, which hosts are live at the
 * recorded times, requests and bitmaps, and one acquire continuing from a vector.
 */
class VectorsTest {
    static final Geometry G = Geometry.S512_A1M;
    static final long RES = 1 << 20;
    final ManualClock clock = new ManualClock(1240);
    final LogRing log = new LogRing(clock, 2000);

    static Path vectors() {
        return Reference.shared().resolve("vectors");
    }

    static MemoryStorage load(String name) throws IOException {
        Path p = vectors().resolve(name + ".img.gz");
        assertThat(p).as("vector " + name).exists();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return new MemoryStorage(in.readAllBytes());
        }
    }

    PaxosLease lease(MemoryStorage m, Geometry g, long off, String ls, String res) {
        return new PaxosLease(m, off, g, ls, res, clock, log, new Random(1), new BufferPool(1));
    }

    static ByteBuffer buf(MemoryStorage m, long off, int len) {
        return ByteBuffer.wrap(m.copy(off, len)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Scans a vector's lockspace area into {@code t} as if read by a renewal at {@code now}. */
    static List<Long> scan(MemoryStorage m, HostTable t, long now) {
        return AreaScan.scan(buf(m, 0, 1 << 20), G, "libvirt", t, now);
    }

    @Test
    void ownersAndLversOfTheScenarioDisk() throws Exception {
        Timeouts t = Timeouts.of(10);
        Object[][] expect = {
            // vector, owner, gen, lver, held
            {"scenario-00-init", 0L, 0L, 0L, false},
            {"scenario-02-held-h1", 1L, 1L, 1L, true},
            {"scenario-03-released-h1", 1L, 1L, 1L, false},
            {"scenario-04-held-h2", 2L, 1L, 2L, true},
            {"scenario-05-released-h2", 2L, 1L, 2L, false},
            {"scenario-06-request-by-h2", 1L, 1L, 3L, true},
            {"scenario-08-after-request", 1L, 1L, 3L, false},
        };
        for (Object[] e : expect) {
            MemoryStorage m = load((String) e[0]);
            Leader l = lease(m, G, RES, "libvirt", "test1").readLeader(t);
            assertThat(l.ownerId()).as(e[0] + " owner").isEqualTo(e[1]);
            assertThat(l.ownerGeneration()).as(e[0] + " gen").isEqualTo(e[2]);
            assertThat(l.lver()).as(e[0] + " lver").isEqualTo(e[3]);
            assertThat(!l.isFree()).as(e[0] + " held").isEqualTo(e[4]);
        }
        MemoryStorage m3 = load("scenario-03-released-h1");
        assertThat(Dblock.decode(buf(m3, RES + 2 * 512, 512), 0).released()).isTrue();
        MemoryStorage m6 = load("scenario-06-request-by-h2");
        assertThat(lease(m6, G, RES, "libvirt", "test1").readRequest(t)).isEqualTo(RequestRecord.of(4, 2));
        MemoryStorage m8 = load("scenario-08-after-request");
        assertThat(lease(m8, G, RES, "libvirt", "test1").readRequest(t)).as("request survives the release")
                .isEqualTo(RequestRecord.of(4, 2));
    }

    @Test
    void hostLivenessAcrossTheRecordedSnapshots() throws Exception {
        HostTable me = new HostTable(2000, 1, Timeouts.of(10)); // host 1's view
        HostTable other = new HostTable(2000, 3, Timeouts.of(10)); // a third host watching
        scan(load("scenario-06-request-by-h2"), other, 1166);
        assertThat(other.state(1, 1166)).isEqualTo(HostState.UNKNOWN);
        assertThat(other.state(2, 1166)).isEqualTo(HostState.UNKNOWN);
        assertThat(other.state(5, 1166)).isEqualTo(HostState.FREE);
        scan(load("scenario-06-request-by-h2"), me, 1166);
        List<Long> notify = scan(load("scenario-07-bitmaps"), me, 1187);
        assertThat(notify).as("host 2's bitmap asks host 1 to look").containsExactly(2L);
        scan(load("scenario-07-bitmaps"), other, 1187);
        assertThat(other.state(1, 1187)).isEqualTo(HostState.LIVE);
        assertThat(other.state(2, 1187)).isEqualTo(HostState.LIVE);
        scan(load("scenario-08-after-request"), other, 1207);
        scan(load("scenario-09-h1-left"), other, 1210);
        assertThat(other.state(1, 1210)).isEqualTo(HostState.FREE);
        assertThat(other.state(2, 1210)).isEqualTo(HostState.LIVE);
        assertThat(other.hostLive(1, 1, 1210)).isFalse();
        // host 2 stops (no change after 1207): FAIL after 8N, DEAD after 8N+W by the watcher's clock
        assertThat(other.state(2, 1207 + 81)).isEqualTo(HostState.FAIL);
        assertThat(other.state(2, 1207 + 141)).isEqualTo(HostState.DEAD);
        scan(load("scenario-10-h1-rejoined"), other, 1232);
        assertThat(other.status(1).ownerGeneration()).isEqualTo(2);
        assertThat(other.state(1, 1232)).isEqualTo(HostState.LIVE);
        // the host event host 1 sent is in its slot's write_* fields
        Leader h1 = Leader.decode(buf(load("scenario-07-bitmaps"), 0, 512), 0);
        assertThat(new long[] {h1.writeId(), h1.writeGeneration(), h1.writeTimestamp()}).containsExactly(1, 7, 99);
    }

    @Test
    void sharedHoldersFourKSectorsAndClearedLeases() throws Exception {
        Timeouts t = Timeouts.of(10);
        MemoryStorage sh = load("sh-held-h1-h2");
        Leader l = lease(sh, G, 0, "libvirt", "shres").readLeader(t);
        assertThat(l.isFree()).isTrue();
        assertThat(ModeBlock.decode(buf(sh, 2 * 512, 512), 0)).isEqualTo(new ModeBlock(DiskFormat.MBLOCK_SHARED, 1));
        assertThat(ModeBlock.decode(buf(sh, 3 * 512, 512), 0)).isEqualTo(new ModeBlock(DiskFormat.MBLOCK_SHARED, 1));
        MemoryStorage rel = load("sh-released");
        assertThat(ModeBlock.decode(buf(rel, 2 * 512, 512), 0).shared()).isFalse();
        MemoryStorage k = load("disk4k-joined-held-h2");
        Geometry g4 = DeltaLease.readGeometry(k, 0, "vec4k", t);
        assertThat(g4).isEqualTo(Geometry.S4K_A1M);
        Leader l4 = lease(k, g4, RES, "vec4k", "r4k").readLeader(t);
        assertThat(l4.ownerId()).isEqualTo(2);
        assertThat(l4.lver()).isEqualTo(1);
        assertThat(l4.numHosts()).isEqualTo(250);
        MemoryStorage rx = load("rindex-2-deleted-vm1");
        assertThatThrownBy(() -> lease(rx, G, 3 << 20, "libvirt", "vm1").readLeader(t))
                .is(failsWith(SanlockError.LEADER_MAGIC));
        assertThat(lease(rx, G, 4 << 20, "libvirt", "vm2").readLeader(t).isFree()).isTrue();
    }

    @Test
    void continuingFromAVectorHost1GetsTheBallotTheReferenceGot() throws Exception {
        // scenario-05: lease released by host 2 (lver 2, mbal 2002). In the reference run host 1
        // then acquired with mbal 4001 and lver 3 (scenario-06). Rejoin as "host1" and do the same.
        MemoryStorage m = load("scenario-05-released-h2");
        DeltaLease d = new DeltaLease(m, 0, G, "libvirt", 1, "host1", Timeouts.of(10), clock, log);
        assertThat(d.join(() -> false)).as("same name: fast reacquire, next generation").isEqualTo(2);
        LockspaceMember member = new LockspaceMember(d, clock);
        PaxosLease.Token tok = new PaxosLease.Token(1, 2, Timeouts.of(10));
        lease(m, G, RES, "libvirt", "test1").acquire(tok, PaxosLease.Options.EXCLUSIVE, member);
        assertThat(tok.lver()).isEqualTo(3);
        Dblock mine = Dblock.decode(buf(m, RES + 2 * 512, 512), 0);
        Dblock ref = Dblock.decode(buf(load("scenario-06-request-by-h2"), RES + 2 * 512, 512), 0);
        assertThat(mine.mbal()).isEqualTo(ref.mbal()).isEqualTo(4001);
        assertThat(mine.lver()).isEqualTo(ref.lver());
    }
}
