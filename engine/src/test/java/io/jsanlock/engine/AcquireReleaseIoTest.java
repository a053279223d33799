package io.jsanlock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.direct.LeaseAreas;
import io.jsanlock.io.SectorStorage;
import io.jsanlock.lease.LeaseStorage;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.FaultyStorage.Io;
import io.jsanlock.testkit.FaultyStorage.Op;
import io.jsanlock.testkit.Reference;
import java.nio.file.Path;
import org.assertj.core.groups.Tuple;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an acquire+release of a free lease costs on storage, counted rather than timed (the
 * time against the I/O floor is the benchmark's job, {@code bin/bench}): the engine must
 * add no I/O to the protocol's own. On a real O_DIRECT file, the I/Os that touch the
 * resource's area are exactly sanlock's: for the acquire, one read of the whole lease area
 * (leader, request record, dblocks, mode blocks: 1 MiB, one I/O as sanlock does) before the
 * ballot, then per phase one write of this host's dblock and one read of the whole area
 * again, then the leader write; for the release, the dblock cleared, the leader read back
 * and rewritten without the owner. A second acquire never trusts a cached leader: the
 * rounds after the first issue the same I/Os.
 */
class AcquireReleaseIoTest {
    @TempDir
    Path tmp;

    @Test
    void acquireAndReleaseOfAFreeLeaseIssueOnlyTheProtocolsIos() throws Exception {
        Path file = tmp.resolve("leases");
        Reference.createFile(file, 2L << 20);
        Geometry g = Geometry.S512_A1M;
        long res = 1L << 20;
        try (SectorStorage s = DirectFileStorage.open(file, DirectFileStorage.Access.READ_WRITE)) {
            LeaseAreas.initLockspace(s, 0, g, "LS", 1, 10_000);
            LeaseAreas.initResource(s, res, g, Leader.newPaxosLeader(g, "LS", "R", g.maxHosts()), 10_000);
        }
        int sector = g.sectorSize();
        int area = g.alignSize();
        long dblock = res + 2L * sector; // host N's dblock is sector N + 1 (after leader and request)
        FaultyStorage[] recorder = new FaultyStorage[1];
        StorageOpener recording = path -> {
            recorder[0] = new FaultyStorage(StorageOpener.DIRECT.open(path), MonotonicClock.SYSTEM);
            return recorder[0];
        };
        try (LeaseEngine e = LeaseEngine.builder("io-count").storage(recording).build()) {
            e.addLockspace(new LockspaceSpec("LS", 1, file.toString(), 0), 1);
            ResourceSpec r = new ResourceSpec("LS", "R", List.of(new ResourceSpec.Disk(file.toString(), res)), 0,
                    false, false);
            for (int round = 1; round <= 3; round++) {
                recorder[0].clearHistory();
                e.release(e.acquire(r, AcquireOptions.exclusive()));
                // The renewal thread writes the lockspace's area meanwhile: look at the resource's only.
                List<Io> ios = recorder[0].history().stream().filter(io -> io.offset() >= res).toList();
                assertThat(ios).as("round " + round).extracting(Io::op, Io::offset, Io::length).containsExactly(
                        io(Op.READ, res, area),
                        io(Op.WRITE, dblock, sector), io(Op.READ, res, area),
                        io(Op.WRITE, dblock, sector), io(Op.READ, res, area),
                        io(Op.WRITE, res, sector),
                        io(Op.WRITE, dblock, sector), io(Op.READ, res, sector), io(Op.WRITE, res, sector));
            }
        }
    }

    private static Tuple io(Op op, long offset, int length) {
        return Tuple.tuple(op, offset, length);
    }
}
