package io.jsanlock.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.ManualClock;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Resource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fencer's schedule for a lost lockspace (algorithms.md 2.7) on a manual clock: one
 * round a second, at most 100; the killpath (run once) until the kill deadline, SIGKILL
 * after it — here turned into SIGTERM by the holder's RESTRICT_SIGKILL, which the holder
 * ignores, so it outlives all 100 rounds. On the system clock this is 100 s; on the manual
 * clock it takes no protocol time, and every round happens at a known second.
 */
class FencerClockTest {
    @TempDir
    Path tmp;
    Process holder;

    @AfterEach
    void tearDown() {
        // the daemon was never started (no socket, no threads but the fencer's, which has ended)
        if (holder != null) {
            holder.destroyForcibly();
        }
    }

    @Test
    void aLostLockspaceGetsTheKillpathOnceThenKillsEverySecondUntilTheHundredthRound() throws Exception {
        // a holder that ignores SIGTERM (SIG_IGN survives the exec of sleep)
        holder = new ProcessBuilder("sh", "-c", "trap '' TERM; exec sleep 300").start();
        ManualClock clock = new ManualClock(5000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DaemonLog log = new DaemonLog(clock, new PrintStream(out, true), DaemonLog.INFO);
        Daemon daemon = new Daemon(DaemonOptions.parse("-D", "-e", "hostF").withRunDir(tmp), new NoEngineBackend(), log, clock);
        Client c = daemon.clients.add(null);
        c.register((int) holder.pid());
        c.restrict(CommandFlags.RESTRICT_SIGKILL);
        c.killpath("/bin/true", "", 0);
        Resource r = new Resource("LS", "R", 0, 0, 0, 0, 1, List.of(new Disk("/dev/null", 1048576)));
        assertThat(c.addLeases(List.of(new HeldLease(r, false, 1, false, false, null)), "holder")).isTrue();

        long start = System.nanoTime();
        daemon.fencer.lockspaceLost("LS", clock.seconds() + 40);
        Await.await("the recovery's rounds", Duration.ofSeconds(60), () -> daemon.fencer.recoveringLockspaces().isEmpty());
        long realMillis = (System.nanoTime() - start) / 1_000_000;

        String text = out.toString();
        Matcher m = Pattern.compile("kill " + holder.pid() + " sig (\\d+) count (\\d+)").matcher(text);
        StringBuilder rounds = new StringBuilder();
        int killpaths = 0;
        int terms = 0;
        int firstTerm = 0;
        while (m.find()) {
            int sig = Integer.parseInt(m.group(1));
            int count = Integer.parseInt(m.group(2));
            rounds.append(sig).append('@').append(count).append(' ');
            if (sig == 100) {
                killpaths++;
                assertThat(count).as("the killpath in the first round").isEqualTo(1);
            } else {
                assertThat(sig).as("SIGKILL restricted to SIGTERM").isEqualTo(15);
                assertThat(count).as("no signal but the killpath before the kill deadline").isGreaterThan(40);
                firstTerm = firstTerm == 0 ? count : firstTerm;
                terms++;
            }
        }
        assertThat(killpaths).as("killpath run once: " + rounds).isEqualTo(1);
        assertThat(firstTerm).as("first kill in round 41, at the deadline 40 s after the loss: " + rounds).isEqualTo(41);
        assertThat(terms).as("one kill a round up to round 100: " + rounds).isEqualTo(60);
        assertThat(text).contains("killing pids stuck after 100 attempts");
        assertThat(clock.seconds()).as("100 rounds a second apart, on the manual clock").isEqualTo(5100);
        assertThat(holder.isAlive()).as("the holder ignored every SIGTERM").isTrue();
        System.out.println("100 rounds of recovery in " + realMillis + " ms of real time");
    }
}
