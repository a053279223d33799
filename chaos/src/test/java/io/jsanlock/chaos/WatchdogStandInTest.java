package io.jsanlock.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Await;
import io.jsanlock.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog stand-in's firing rule on a manual clock, exactly: armed by a keepalive, it
 * fires W = 60 s after the last one — not a nanosecond earlier — and then SIGKILLs the host's
 * process group; a magic close 'V' disarms it. {@link WatchdogFencingTest} relies on this rule
 * and checks the real-time chain around it with bounds a loaded machine meets.
 */
class WatchdogStandInTest {
    @TempDir
    Path tmp;
    Process host;

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.destroyForcibly();
        }
    }

    /** A process in its own process group (setsid: leader of a new session), standing for a host. */
    Process startHost() throws Exception {
        host = new ProcessBuilder("setsid", "sleep", "300").start();
        Path stat = Path.of("/proc/" + host.pid() + "/stat");
        // setsid runs in the child before it execs sleep: wait for both (comm, then pgrp)
        Await.await("the stand-in host runs sleep as the leader of its process group", Duration.ofSeconds(30), () -> {
            String st = Files.readString(stat);
            String[] after = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return st.contains("(sleep)") && Long.parseLong(after[2]) == host.pid();
        });
        return host;
    }

    static void write(Path device, char c) throws Exception {
        Files.writeString(device, String.valueOf(c), StandardOpenOption.APPEND);
    }

    @Test
    void firesSixtySecondsAfterTheLastKeepaliveAndKillsTheHostsProcessGroup() throws Exception {
        ManualClock clock = new ManualClock(1000);
        Process h = startHost();
        AtomicInteger fired = new AtomicInteger();
        Path dev = tmp.resolve("watchdog");
        WatchdogStandIn wd = new WatchdogStandIn(dev, 60, h::pid, fired::incrementAndGet, clock::nanos, false);
        wd.poll();
        assertThat(wd.armed()).as("nothing written: not armed").isFalse();

        write(dev, '.');
        wd.poll();
        assertThat(wd.keepalives()).containsExactly(1000_000_000_000L);
        clock.advanceSeconds(30);
        write(dev, '.'); // a keepalive at 1030 restarts the countdown
        wd.poll();
        clock.advanceNanos(60_000_000_000L - 1);
        wd.poll();
        assertThat(wd.fires()).as("1 ns before W after the last keepalive").isEmpty();
        assertThat(h.isAlive()).isTrue();

        clock.advanceNanos(1);
        wd.poll();
        assertThat(wd.fires()).as("exactly W after it").containsExactly(1090_000_000_000L);
        assertThat(fired.get()).isEqualTo(1);
        assertThat(h.waitFor(30, TimeUnit.SECONDS)).as("the host's process group is killed").isTrue();
        assertThat(wd.armed()).as("fires once").isFalse();
        clock.advanceSeconds(120);
        wd.poll();
        assertThat(wd.fires()).hasSize(1);
        wd.close();
    }

    @Test
    void aMagicCloseDisarmsIt() throws Exception {
        ManualClock clock = new ManualClock(1000);
        Process h = startHost();
        Path dev = tmp.resolve("watchdog");
        WatchdogStandIn wd = new WatchdogStandIn(dev, 60, h::pid, null, clock::nanos, false);
        write(dev, '.');
        wd.poll();
        assertThat(wd.armed()).isTrue();
        write(dev, 'V');
        wd.poll();
        assertThat(wd.armed()).isFalse();
        clock.advanceSeconds(600);
        wd.poll();
        assertThat(wd.fires()).isEmpty();
        assertThat(h.isAlive()).isTrue();
        wd.close();
    }
}
