package io.jsanlock.vm.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.ManualClock;
import io.jsanlock.vm.ha.HaEngine.Action;
import io.jsanlock.vm.ha.HaEngine.Decision;
import io.jsanlock.vm.ha.HaEngine.Seen;
import io.jsanlock.vm.ha.HaEngine.StartOutcome;
import io.jsanlock.vm.ha.LeaseSight.Fate;
import io.jsanlock.vm.ha.LeaseSight.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HA policy on a manual clock: when a host tries to start a domain, and why not otherwise. */
class HaEngineTest {
    static final HaPolicy ON = new HaPolicy(true, 5);
    final ManualClock clock = new ManualClock(1000);
    // priority step 1 s, load step 1 s, settle 10 s, 2 at once, 3 restarts / 600 s, storm 4 / 60 s
    final HaEngine engine = new HaEngine(new HaEngine.Settings(2, HaEngine.Settings.seconds(10), HaEngine.Settings.seconds(1),
            HaEngine.Settings.seconds(1), 3, HaEngine.Settings.seconds(600), 4, HaEngine.Settings.seconds(60)), clock);

    static LeaseSight held(long owner, Fate fate) {
        return new LeaseSight(Kind.HELD, owner, 1, fate, 2, "");
    }

    static LeaseSight free(long owner, Fate fate) {
        return new LeaseSight(Kind.FREE, owner, 1, fate, 2, "");
    }

    static Seen seen(String name, LeaseSight l) {
        return new Seen(name, ON, false, l);
    }

    static Seen running(String name) {
        return new Seen(name, ON, true, held(2, Fate.SELF));
    }

    static List<String> starts(List<Decision> ds) {
        List<String> out = new ArrayList<>();
        for (Decision d : ds) {
            if (d.action() == Action.START) {
                out.add(d.name());
            }
        }
        return out;
    }

    static Decision of(List<Decision> ds, String name) {
        return ds.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aDomainHeldByALiveHostIsLeftAlone() {
        List<Decision> ds = engine.tick(List.of(seen("a", held(1, Fate.ALIVE))));
        assertThat(starts(ds)).isEmpty();
        assertThat(of(ds, "a").reason()).isEqualTo("running on host 1");
    }

    @Test
    void aDomainWhoseOwnerIsDeadIsStartedAfterItsPriorityAndLoadDelay() {
        // priority 5: 5 steps of 1 s; load 0
        assertThat(starts(engine.tick(List.of(seen("a", held(1, Fate.DEAD)))))).isEmpty();
        clock.advanceSeconds(4);
        assertThat(starts(engine.tick(List.of(seen("a", held(1, Fate.DEAD)))))).isEmpty();
        clock.advanceSeconds(1);
        List<Decision> ds = engine.tick(List.of(seen("a", held(1, Fate.DEAD))));
        assertThat(starts(ds)).containsExactly("a");
        assertThat(of(ds, "a").reason()).startsWith("its lease is held by host 1, which is dead (delta lease expired)");
    }

    @Test
    void aHigherPriorityHostTriesFirst() {
        Seen hi = new Seen("a", new HaPolicy(true, 10), false, held(1, Fate.DEAD));
        assertThat(starts(engine.tick(List.of(hi)))).containsExactly("a");
    }

    @Test
    void aLoadedHostWaitsLongerThanAnIdleOne() {
        Seen dead = new Seen("x", new HaPolicy(true, 10), false, held(1, Fate.DEAD));
        List<Seen> loaded = List.of(dead, running("r1"), running("r2"), running("r3"));
        assertThat(starts(engine.tick(loaded))).isEmpty();
        clock.advanceSeconds(2);
        assertThat(starts(engine.tick(loaded))).isEmpty();
        clock.advanceSeconds(1);
        assertThat(starts(engine.tick(loaded))).containsExactly("x");
    }

    @Test
    void aRejoinedOwnerOrALostInstanceOfThisHostCountsAsGone() {
        Seen rejoined = new Seen("a", new HaPolicy(true, 10), false, held(1, Fate.REJOINED));
        Seen mineLost = new Seen("b", new HaPolicy(true, 10), false, held(2, Fate.SELF_LOST));
        List<String> first = starts(engine.tick(List.of(rejoined, mineLost)));
        assertThat(first).as("the second waits one load step").hasSize(1);
        clock.advanceSeconds(1);
        List<String> second = starts(engine.tick(List.of(rejoined, mineLost)));
        assertThat(second).hasSize(1).doesNotContainAnyElementsOf(first);
    }

    @Test
    void aReleasedLeaseIsACleanStopAndIsNotRestarted() {
        List<Decision> ds = engine.tick(List.of(seen("a", free(1, Fate.ALIVE)), seen("b", free(1, Fate.DEAD))));
        assertThat(starts(ds)).isEmpty();
        clock.advanceSeconds(3600);
        ds = engine.tick(List.of(seen("a", free(1, Fate.ALIVE)), seen("b", free(1, Fate.DEAD))));
        assertThat(starts(ds)).isEmpty();
        assertThat(of(ds, "b").reason()).isEqualTo("stopped (its lease was released by host 1): not restarted");
    }

    @Test
    void aGuestThatStoppedHereWithItsLeaseReleasedIsRecordedAsStopped() {
        engine.tick(List.of(running("a")));
        List<Decision> ds = engine.tick(List.of(seen("a", free(2, Fate.SELF))));
        assertThat(of(ds, "a").action()).isEqualTo(Action.STOPPED);
        clock.advanceSeconds(600);
        assertThat(starts(engine.tick(List.of(seen("a", free(2, Fate.SELF)))))).isEmpty();
    }

    @Test
    void aDomainLostToFencingHereIsBlockedUntilTheOperatorClearsIt() {
        engine.tick(List.of(running("a")));
        // this host's lockspace instance that held it is gone: fencing
        List<Decision> ds = engine.tick(List.of(seen("a", held(2, Fate.SELF_LOST))));
        assertThat(of(ds, "a").action()).isEqualTo(Action.BLOCK);
        assertThat(engine.blocked("a")).contains("fencing");
        clock.advanceSeconds(3600);
        ds = engine.tick(List.of(seen("a", held(2, Fate.SELF_LOST))));
        assertThat(starts(ds)).isEmpty();
        assertThat(of(ds, "a").reason()).startsWith("blocked: lost its lease to fencing here");
        engine.clear("a");
        engine.tick(List.of(seen("a", held(2, Fate.SELF_LOST))));
        clock.advanceSeconds(5);
        assertThat(starts(engine.tick(List.of(seen("a", held(2, Fate.SELF_LOST)))))).containsExactly("a");
    }

    @Test
    void aDomainTakenOverByAnotherHostWhileItRanHereIsBlockedHere() {
        engine.tick(List.of(running("a")));
        List<Decision> ds = engine.tick(List.of(seen("a", held(3, Fate.ALIVE))));
        assertThat(of(ds, "a").action()).isEqualTo(Action.BLOCK);
        assertThat(engine.blocked("a")).contains("host 3 took it over");
    }

    @Test
    void aGuestGoneWhileItsLeaseIsStillHeldHereWaits() {
        engine.tick(List.of(running("a")));
        List<Decision> ds = engine.tick(List.of(seen("a", held(2, Fate.SELF))));
        assertThat(of(ds, "a").action()).isEqualTo(Action.NONE);
        assertThat(engine.ranHere("a")).isTrue();
    }

    @Test
    void aHostStartingMaxConcurrentStartsBacksOffUntilTheyHaveSettled() {
        List<Seen> four = new ArrayList<>();
        for (String n : List.of("a", "b", "c", "d")) {
            four.add(new Seen(n, new HaPolicy(true, 10), false, held(1, Fate.DEAD)));
        }
        List<String> started = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            for (String n : starts(engine.tick(four))) {
                engine.outcome(n, StartOutcome.STARTED, "pid 1");
                started.add(n);
                four.replaceAll(s -> s.name().equals(n) ? running(n) : s);
            }
            clock.advanceSeconds(1);
        }
        assertThat(started).as("two at once (the second after one load step)").hasSize(2);
        List<Decision> ds = engine.tick(four);
        assertThat(starts(ds)).isEmpty();
        assertThat(ds.stream().map(Decision::reason).filter(r -> r.contains("backing off: already starting 2"))).hasSize(2);
        clock.advanceSeconds(5); // both settled (10 s); load 2 running: 2 s delay, long passed
        assertThat(starts(engine.tick(four))).hasSize(1);
    }

    @Test
    void losingTheRaceStandsDownAndIsNotCountedAsARestart() {
        Seen a = new Seen("a", new HaPolicy(true, 10), false, held(1, Fate.DEAD));
        for (int i = 0; i < 5; i++) {
            assertThat(starts(engine.tick(List.of(a)))).containsExactly("a");
            assertThat(engine.outcome("a", StartOutcome.LOST_RACE, "error -243").reason())
                    .isEqualTo("another host won its lease (error -243): standing down");
            assertThat(engine.inFlight()).isZero();
        }
    }

    @Test
    void aDomainRestartedTooOftenHitsTheRestartLimit() {
        Seen a = new Seen("a", new HaPolicy(true, 10), false, held(1, Fate.DEAD));
        for (int i = 0; i < 3; i++) {
            assertThat(starts(engine.tick(List.of(a)))).containsExactly("a");
            engine.outcome("a", StartOutcome.FAILED, "boom");
            clock.advanceSeconds(11);
        }
        List<Decision> ds = engine.tick(List.of(a));
        assertThat(starts(ds)).isEmpty();
        assertThat(of(ds, "a").reason()).contains("restart limit reached (3 restarts by this host in 600 s)");
        clock.advanceSeconds(600);
        assertThat(starts(engine.tick(List.of(a)))).containsExactly("a");
    }

    @Test
    void aRestartStormIsRateLimitedPerHost() {
        List<Seen> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            many.add(new Seen("d" + i, new HaPolicy(true, 10), false, held(1, Fate.DEAD)));
        }
        int started = 0;
        for (int t = 0; t < 40; t++) {
            for (String n : starts(engine.tick(many))) {
                engine.outcome(n, StartOutcome.STARTED, "pid");
                started++;
                many.removeIf(s -> s.name().equals(n));
            }
            clock.advanceSeconds(1);
        }
        assertThat(started).as("4 starts per 60 s").isEqualTo(4);
        clock.advanceSeconds(30);
        assertThat(starts(engine.tick(many))).isNotEmpty();
    }

    @Test
    void twoHostsSpreadTheirFirstAttemptsOverDifferentDomains() {
        // the per-host order differs between host ids for most name pairs
        int differ = 0;
        for (int i = 0; i < 20; i++) {
            String a = "vm" + i;
            String b = "vm" + (i + 20);
            boolean h2 = HaEngine.spread(a, 2) < HaEngine.spread(b, 2);
            boolean h3 = HaEngine.spread(a, 3) < HaEngine.spread(b, 3);
            differ += h2 != h3 ? 1 : 0;
        }
        assertThat(differ).isBetween(4, 16);
    }

    /** Domain {@code name}, held by dead host 1, as host {@code me} sees it with {@code live} live. */
    static Seen deadOwnerSeenBy(String name, long me, List<Long> live) {
        return new Seen(name, ON, false, new LeaseSight(Kind.HELD, 1, 1, Fate.DEAD, me, "", live));
    }

    @Test
    void survivorsDealTheCandidatesOutSoEachFirstTriesADifferentOne() {
        ManualClock clock3 = new ManualClock(1000);
        HaEngine host3 = new HaEngine(new HaEngine.Settings(2, HaEngine.Settings.seconds(10),
                HaEngine.Settings.seconds(1), HaEngine.Settings.seconds(1), 3, HaEngine.Settings.seconds(600), 4,
                HaEngine.Settings.seconds(60)), clock3);
        List<Long> live = List.of(2L, 3L);
        List<Seen> seenBy2 = List.of(deadOwnerSeenBy("b", 2, live), deadOwnerSeenBy("a", 2, live));
        List<Seen> seenBy3 = List.of(deadOwnerSeenBy("a", 3, live), deadOwnerSeenBy("b", 3, live));
        assertThat(starts(engine.tick(seenBy2))).isEmpty();
        assertThat(starts(host3.tick(seenBy3))).isEmpty();
        // priority 5: 5 steps; then each host's turn-0 domain, a for host 2 (rank 0), b for host 3
        clock.advanceSeconds(5);
        clock3.advanceSeconds(5);
        List<Decision> by2 = engine.tick(seenBy2);
        List<Decision> by3 = host3.tick(seenBy3);
        assertThat(starts(by2)).containsExactly("a");
        assertThat(starts(by3)).containsExactly("b");
        assertThat(of(by2, "b").reason()).endsWith("waiting 7 s for its turn (priority 5, load 1, turn 1)");
        // had the other host not taken it, the next one's turn comes (load 1 + turn 1 steps later)
        clock.advanceSeconds(2);
        assertThat(starts(engine.tick(seenBy2))).containsExactly("b");
    }

    @Test
    void turnsGoRoundTheLiveHostsInHostIdOrderPerPriority() {
        List<Long> live = List.of(2L, 5L, 9L);
        List<Seen> seenBy5 = new ArrayList<>();
        for (String n : List.of("d", "c", "b", "a")) {
            seenBy5.add(deadOwnerSeenBy(n, 5, live));
        }
        seenBy5.add(new Seen("z", new HaPolicy(true, 9), false, new LeaseSight(Kind.HELD, 1, 1, Fate.DEAD, 5, "", live)));
        // host 5 has rank 1: the 2nd of each priority's candidates (by name) is its turn 0
        assertThat(HaEngine.turns(seenBy5)).containsExactlyInAnyOrderEntriesOf(
                Map.of("a", 2, "b", 0, "c", 1, "d", 2, "z", 2));
        // a host that does not know the live hosts (or is not among them) has no turns
        assertThat(HaEngine.turns(List.of(deadOwnerSeenBy("a", 5, List.of()), deadOwnerSeenBy("b", 5, List.of(2L)))))
                .containsExactlyInAnyOrderEntriesOf(Map.of("a", 0, "b", 0));
    }

    @Test
    void everyDecisionIsReportedOnceUntilItsReasonChanges() {
        assertThat(of(engine.tick(List.of(seen("a", held(1, Fate.ALIVE)))), "a").changed()).isTrue();
        assertThat(of(engine.tick(List.of(seen("a", held(1, Fate.ALIVE)))), "a").changed()).isFalse();
        assertThat(of(engine.tick(List.of(seen("a", held(3, Fate.ALIVE)))), "a").changed()).isTrue();
    }
}
