package io.jsanlock.lease;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Liveness judgement on my clock only (algorithms.md 2.6). */
class HostTableTest {
    private static HostTable.SlotReading slot(long owner, long gen, long ts, int io) {
        return new HostTable.SlotReading(true, owner, gen, ts, io, "h" + owner, false);
    }

    @Test
    void stateFollowsChangesSeenOnMyClockNotTheOtherHostsTimestamps() {
        HostTable t = new HostTable(2000, 1, Timeouts.of(1));
        // host 2 (N=1) writes timestamps on ITS clock, wildly different from mine
        t.observe(2, slot(2, 1, 999_999, 1), 100);
        t.scanDone();
        assertThat(t.state(2, 100)).isEqualTo(HostState.UNKNOWN); // seen once, never moving
        assertThat(t.state(2, 108)).isEqualTo(HostState.UNKNOWN); // 8 = 8N, still <=
        assertThat(t.state(2, 109)).isEqualTo(HostState.FAIL);
        t.observe(2, slot(2, 1, 1_000_001, 1), 102); // moved: alive, judged at MY 102
        assertThat(t.state(2, 102)).isEqualTo(HostState.LIVE);
        assertThat(t.state(2, 110)).isEqualTo(HostState.LIVE);
        assertThat(t.state(2, 111)).isEqualTo(HostState.FAIL);
        assertThat(t.state(2, 102 + 68)).isEqualTo(HostState.FAIL); // not yet > 8N+W
        assertThat(t.state(2, 102 + 69)).isEqualTo(HostState.DEAD);
        // an unchanged rescan does not refresh last_live
        t.observe(2, slot(2, 1, 1_000_001, 1), 150);
        assertThat(t.status(2).lastLive()).isEqualTo(102);
        assertThat(t.status(2).lastCheck()).isEqualTo(150);
    }

    @Test
    void myOwnSlotIsLiveAndAFreeSlotIsFree() {
        HostTable t = new HostTable(2000, 1, Timeouts.of(1));
        t.observe(1, slot(1, 3, 50, 1), 100);
        t.observe(3, slot(3, 2, 0, 1), 100);
        assertThat(t.state(1, 500)).isEqualTo(HostState.LIVE);
        assertThat(t.state(3, 100)).isEqualTo(HostState.FREE);
    }

    @Test
    void otherHostsAreJudgedWithTheirOwnAdvertisedIoTimeout() {
        // me N=1, host 2 N=10: dead only after 8*10+60 = 140 s by my clock (hosts with different N, 1.3)
        HostTable t = new HostTable(2000, 1, Timeouts.of(1));
        t.observe(2, slot(2, 1, 5, 10), 100);
        t.observe(2, slot(2, 1, 25, 10), 120);
        assertThat(t.state(2, 120 + 80)).isEqualTo(HostState.LIVE);
        assertThat(t.state(2, 120 + 81)).isEqualTo(HostState.FAIL);
        assertThat(t.state(2, 120 + 140)).isEqualTo(HostState.FAIL);
        assertThat(t.state(2, 120 + 141)).isEqualTo(HostState.DEAD);
        assertThat(t.hostLive(2, 1, 120 + 140)).isTrue();
        assertThat(t.hostLive(2, 1, 120 + 141)).isFalse();
        // a stored 0 falls back to my own N
        t.observe(3, slot(3, 1, 5, 0), 100);
        t.observe(3, slot(3, 1, 6, 0), 101);
        assertThat(t.state(3, 101 + 69)).isEqualTo(HostState.DEAD);
    }

    @Test
    void hostLiveAnswersNoForFreeSlotsNewerGenerationsAndLongSilence() {
        HostTable t = new HostTable(2000, 1, Timeouts.of(1));
        assertThat(t.hostLive(4, 1, 100)).as("never scanned: missing information means yes").isTrue();
        t.observe(4, slot(4, 2, 77, 1), 100);
        assertThat(t.hostLive(4, 2, 100)).isTrue();
        assertThat(t.hostLive(4, 1, 100)).as("shared holder of an older generation").isFalse();
        assertThat(t.hostLive(4, 2, 100 + 68)).isTrue();
        assertThat(t.hostLive(4, 2, 100 + 69)).as("never seen moving for > 8N+W").isFalse();
        t.observe(4, slot(4, 2, 0, 1), 170);
        assertThat(t.hostLive(4, 2, 170)).as("left the lockspace").isFalse();
    }

    @Test
    void requestBitIsReportedOnlyOnChangeAndActedOnAtMostOncePerSetBitmapSeconds() {
        HostTable t = new HostTable(2000, 1, Timeouts.of(1));
        assertThat(t.observe(2, new HostTable.SlotReading(true, 2, 1, 10, 1, "b", true), 100)).isTrue();
        assertThat(t.observe(2, new HostTable.SlotReading(true, 2, 1, 10, 1, "b", true), 101)).isFalse();
        assertThat(t.takeRequestTurn(2, 101)).isTrue();
        assertThat(t.takeRequestTurn(2, 106)).isFalse();
        assertThat(t.takeRequestTurn(2, 107)).isTrue(); // 6N later
    }
}
