package io.jsanlock.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockException;
import org.junit.jupiter.api.Test;

class GeometryTest {
    @Test
    void theFiveValidPairsAndTheirLimits() throws SanlockException {
        // sector, align, sectors per area, max hosts, rindex entries, leader flag, rindex flag (ondisk.md 1.1, 1.3)
        long[][] table = {
            {512, 1 << 20, 2048, 2000, 16000, 0x10, 0x1},
            {4096, 1 << 20, 256, 250, 16000, 0x10, 0x1},
            {4096, 2 << 20, 512, 500, 32000, 0x20, 0x2},
            {4096, 4 << 20, 1024, 1000, 64000, 0x40, 0x4},
            {4096, 8 << 20, 2048, 2000, 128000, 0x80, 0x8},
        };
        for (long[] t : table) {
            Geometry g = Geometry.of((int) t[0], t[1]);
            assertThat(new long[] {g.sectorsPerArea(), g.maxHosts(), g.rindexMaxEntries(), g.leaderAlignFlag(), g.rindexAlignFlag()})
                    .containsExactly(t[2], t[3], t[4], t[5], t[6]);
            assertThat(Geometry.alignFromLeaderFlags(g.leaderAlignFlag())).isEqualTo(t[1]);
        }
    }

    @Test
    void refusedPairsCarryTheReferenceMessage() {
        assertThatThrownBy(() -> Geometry.of(512, 8 << 20)).isInstanceOfSatisfying(SanlockException.class, e -> {
            assertThat(e.code()).isEqualTo(-22);
            assertThat(e.getMessage()).isEqualTo("Invalid sector_size/align_size combination (512/8388608)");
        });
        assertThat(Geometry.valid(1024, 1 << 20)).isFalse();
        assertThat(Geometry.valid(4096, 3 << 20)).isFalse();
        assertThat(Geometry.valid(512, 2 << 20)).isFalse();
    }

    @Test
    void legacyRuleAndSmallestAlignBitWins() throws SanlockException {
        assertThat(Geometry.legacy(512)).isEqualTo(Geometry.S512_A1M);
        assertThat(Geometry.legacy(4096)).isEqualTo(Geometry.S4K_A8M);
        assertThat(Geometry.alignFromLeaderFlags(0x80 | 0x20 | DiskFormat.LFL_SHORT_HOLD)).isEqualTo(2 << 20);
        assertThat(Geometry.alignFromLeaderFlags(DiskFormat.LFL_SHORT_HOLD)).isZero();
        Leader legacy = Leader.freeDeltaLease(Geometry.S4K_A1M, "LS", 10).withFlags(0);
        assertThat(Geometry.fromLeader(legacy)).isEqualTo(Geometry.S4K_A8M);
        assertThat(Geometry.parseAlignOption("4M")).isEqualTo(4 << 20);
        assertThat(Geometry.parseAlignOption("3M")).isZero();
    }

    @Test
    void recordOffsets() {
        assertThat(Geometry.S512_A1M.deltaLeaseOffset(2000)).isEqualTo(1023488);
        assertThat(Geometry.S512_A1M.dblockOffset(1)).isEqualTo(1024);
        assertThat(Geometry.S4K_A1M.dblockOffset(2)).isEqualTo(12288);
    }
}
