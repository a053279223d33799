package io.jsanlock.dist.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code <on_lockfailure>pause</on_lockfailure>} (vm-leases.md §4.7): when host 1's storage
 * fails, sanlock runs the killpath, jvirsh's helper stops the guest and releases its leases,
 * so sanlock stops escalating: the paused guest is still there after sanlock's 40 s grace
 * period, when an unreleased holder would have been SIGKILLed. Resuming needs the leases
 * again and fails while the lockspace is gone; the domain stays paused, as in libvirt. Run
 * with host 1's lease daemon the reference's and jsanlock's: the killpath on lease loss is
 * the daemon's duty. The two runs go side by side (each its own temp dir, loop device, run
 * dir and jvirsh state): each spends ~55 s watching the paused guest outlive the escalation.
 */
@Tag("slow") // the lock-failure wait: 8 x io_timeout and sanlock's 40 s grace period
@Execution(ExecutionMode.CONCURRENT) // the two daemon kinds at once (see above), ~65 s instead of ~160 s
class LockFailurePauseTest {
    @TempDir
    Path tmp;
    TwoHosts hosts;

    @AfterEach
    void tearDown() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    static char state(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    @ParameterizedTest
    @EnumSource(TwoHosts.DaemonKind.class)
    void lostLeasePausesTheGuestAndSanlockLeavesItAlone(TwoHosts.DaemonKind daemon) throws Exception {
        hosts = new TwoHosts(tmp);
        hosts.startDaemon(1, daemon);
        Path raw = tmp.resolve("raw");
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        String loop = hosts.attachLoop(raw, true);
        // io_timeout 1 in the slots as in the joins: a join waits 2 × the larger of the two
        // (algorithms.md M2/M3), 21 s with slots left at the default 10, 3 s like this.
        assertThat(hosts.sanlock(0, "direct", "init", "-s", "libvirt:0:" + raw + ":0", "-o", "1").out()).contains("init done 0");
        assertThat(hosts.sanlock(0, "direct", "init", "-r", "libvirt:test1:" + raw + ":1048576").out()).contains("init done 0");
        assertThat(hosts.sanlock(1, "client", "add_lockspace", "-s", "libvirt:1:" + loop + ":0", "-o", "1").out())
                .contains("done 0");
        hosts.writeConfig(1, "auto_disk_leases = 0\nrequire_lease_for_disks = 0\n");
        Path xml = tmp.resolve("p.xml");
        Files.writeString(xml, GuardedDomain.xml(loop).replace("poweroff", "pause"));
        assertThat(hosts.jvirsh(1, "define", xml.toString()).exit()).isZero();
        Cmd.Result started = hosts.jvirsh(1, "start", "guarded");
        assertThat(started.out()).as(started.toString()).isEqualTo("Domain guarded started\n\n");
        long guest = hosts.guestPid(1, "guarded").orElseThrow();
        assertThat(state(guest)).isNotEqualTo('T');

        long faultAt = System.nanoTime();
        LoopFault.setOffset(loop, 8 << 20);
        TwoHosts.await("guest paused", 40_000, () -> {
            try {
                return state(guest) == 'T';
            } catch (Exception e) {
                return false;
            }
        });
        double pausedAfter = (System.nanoTime() - faultAt) / 1e9;
        // The guest stops first; the helper then releases the leases, records the state and
        // logs "done": wait for it to finish before looking at what it left.
        Path domainLog = hosts.stateDir(1).resolve("log/guarded.log");
        TwoHosts.awaitFileContains("lock failure helper finished", 20_000, domainLog, "lock failure: pause");
        assertThat(hosts.jvirsh(1, "domstate", "guarded").out()).isEqualTo("paused\n\n");
        assertThat(hosts.jvirsh(1, "list").out()).contains("guarded                        paused");
        assertThat(Files.readString(domainLog))
                .contains("applying on_lockfailure pause to pid " + guest).contains("lock failure: pause done");
        // sanlock writes its log file from a thread of its own: the lines can trail the reply.
        // The release ends the escalation: the reference says it clears the holder's kill
        // state, jsanlock's fencer that no holder is left in the lockspace.
        TwoHosts.awaitFileContains("release logged by the daemon", 10_000, hosts.runDir(1).resolve("daemon.log"),
                "cmd_release 2,", daemon == TwoHosts.DaemonKind.REFERENCE ? "clear kill state" : "all pids clear");

        // Past recovery + grace (8 × io_timeout + 40 s after the last renewal): not killed.
        long until = faultAt + 55_000_000_000L;
        while (System.nanoTime() < until) {
            assertThat(state(guest)).as("paused guest must survive sanlock's escalation").isEqualTo('T');
            Thread.sleep(1_000);
        }
        System.out.printf("guest paused %.1f s after the fault, still paused after 55 s%n", pausedAfter);
        assertThat(pausedAfter).isLessThan(30);

        Cmd.Result resume = hosts.jvirsh(1, "resume", "guarded");
        assertThat(resume.err()).isEqualTo(
                "error: Failed to resume domain guarded\nerror: Failed to acquire lock: No space left on device\n");
        assertThat(hosts.jvirsh(1, "domstate", "guarded").out()).isEqualTo("paused\n\n");
        assertThat(hosts.jvirsh(1, "destroy", "guarded").out()).isEqualTo("Domain guarded destroyed\n\n");
        assertThat(TwoHosts.gone(guest)).isTrue();
    }
}
