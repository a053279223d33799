package io.jsanlock.dist.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lease loss under a running domain (vm-leases.md §4.7): host 1 reaches the shared storage
 * through a loop device that is then made to fail; its lease daemon cannot renew, enters
 * recovery after 8 × io_timeout and runs the domain's killpath (jvirsh as libvirt's
 * lock failure helper), which powers the guest off. Host 2, reading the storage directly,
 * can take the lease only once host 1 is dead to it (8 × io_timeout + 60 s): the guest is
 * gone long before. io_timeout 1; run with both hosts' lease daemons the reference's, and
 * with both jsanlock's: the killpath on lease loss is the daemon's duty.
 *
 * <p>The two runs go side by side: each has its own temp dir, loop device, run dirs and jvirsh
 * state, and spends ~70 s waiting on the protocol (the 8N+W takeover), not computing.
 */
@Tag("slow") // the lock-failure wait: 8 x io_timeout and a takeover at 8N+W
@Execution(ExecutionMode.CONCURRENT) // the two daemon kinds at once (see above), ~80 s instead of ~190 s
class LockFailurePoweroffTest {
    @TempDir
    Path tmp;
    TwoHosts hosts;

    @AfterEach
    void tearDown() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TwoHosts.DaemonKind.class)
    void lostLeasePowersTheGuestOffBeforeAnotherHostCanTakeIt(TwoHosts.DaemonKind daemon) throws Exception {
        hosts = new TwoHosts(tmp);
        hosts.startDaemon(1, daemon);
        hosts.startDaemon(2, daemon);
        Path raw = tmp.resolve("raw");
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        String loop = hosts.attachLoop(raw, true);
        // io_timeout 1 in the slots as in the joins: a join waits 2 × the larger of the two
        // (algorithms.md M2/M3), 21 s with slots left at the default 10, 3 s like this.
        assertThat(hosts.sanlock(0, "direct", "init", "-s", "libvirt:0:" + raw + ":0", "-o", "1").out()).contains("init done 0");
        assertThat(hosts.sanlock(0, "direct", "init", "-r", "libvirt:test1:" + raw + ":1048576").out()).contains("init done 0");
        // Host 1 uses the loop device, host 2 the file: the same storage under two paths.
        var join1 = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> hosts.sanlock(1, "client", "add_lockspace", "-s", "libvirt:1:" + loop + ":0", "-o", "1"), Cmd.ASYNC);
        Cmd.Result j2 = hosts.sanlock(2, "client", "add_lockspace", "-s", "libvirt:2:" + raw + ":0", "-o", "1");
        assertThat(join1.get().out()).contains("done 0");
        assertThat(j2.out()).contains("done 0");
        for (int h = 1; h <= 2; h++) {
            hosts.writeConfig(h, "auto_disk_leases = 0\nrequire_lease_for_disks = 0\n");
            Path xml = tmp.resolve("guarded" + h + ".xml");
            Files.writeString(xml, GuardedDomain.xml(h == 1 ? loop : raw.toString()));
            assertThat(hosts.jvirsh(h, "define", xml.toString()).exit()).isZero();
        }
        Cmd.Result started = hosts.jvirsh(1, "start", "guarded");
        assertThat(started.out()).as(started.toString()).isEqualTo("Domain guarded started\n\n");
        long guest = hosts.guestPid(1, "guarded").orElseThrow();
        assertThat(hosts.dump(raw.toString()).resource("test1").owner()).isEqualTo(1);
        // the killpath is registered for the guest's own registration
        assertThat(hosts.sanlock(1, "client", "status", "-D").out()).contains("pid=" + guest);

        long faultAt = System.nanoTime();
        LoopFault.setOffset(loop, 8 << 20);

        // From the moment of the fault, host 2 tries to start the domain. sanlock makes it
        // wait (or refuses with -243 while host 1 still looks alive) until host 1 is dead.
        List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        var host2 = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            while (System.nanoTime() < faultAt + 150_000_000_000L) {
                Cmd.Result r = hosts.jvirsh(2, "start", "guarded");
                if (r.exit() == 0) {
                    return System.nanoTime();
                }
                refusals.add(r.err());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0L;
                }
            }
            return 0L;
        }, Cmd.ASYNC);

        TwoHosts.await("guest powered off by the lock failure helper", 40_000,
                () -> TwoHosts.gone(guest));
        long guestGoneAt = System.nanoTime();
        System.out.printf("guest gone after %.1f s; host 1 daemon log:%n", (guestGoneAt - faultAt) / 1e9);
        Files.readAllLines(hosts.runDir(1).resolve("daemon.log")).stream()
                .filter(l -> l.contains("kill") || l.contains("dead") || l.contains("helper") || l.contains("lock failure"))
                .forEach(System.out::println);
        // The helper logs "done" after destroy() has reaped the guest and recorded the state:
        // the guest's exit is seen first, so wait for the helper to finish.
        Path domainLog = hosts.stateDir(1).resolve("log/guarded.log");
        TwoHosts.awaitFileContains("lock failure helper finished", 20_000, domainLog, "lock failure: poweroff");
        String log = Files.readString(domainLog);
        assertThat(log).contains("lock failure: lease lost, applying on_lockfailure poweroff to pid " + guest)
                .contains("lock failure: poweroff done");
        assertThat(hosts.jvirsh(1, "domstate", "guarded").out()).isEqualTo("shut off\n\n");
        assertThat(host2.isDone()).as("host 2 must not have the lease while host 1's guest runs").isFalse();

        long acquiredAt = host2.get();
        assertThat(acquiredAt).as("host 2 never acquired; refusals: " + refusals).isPositive();
        assertThat(refusals)
                .allSatisfy(e -> assertThat(e).contains("error: resource busy: Failed to acquire lock: error -243"));
        double guestGone = (guestGoneAt - faultAt) / 1e9;
        double acquired = (acquiredAt - faultAt) / 1e9;
        System.out.printf("fault injected at 0 s; guest powered off at %.1f s; host 2 acquired at %.1f s (%d refusals)%n",
                guestGone, acquired, refusals.size());
        // The helper runs at recovery (8 × io_timeout after the last renewal), well within
        // sanlock's 40 s grace period; another host must wait 8 × io_timeout + 60 s.
        assertThat(guestGone).isLessThan(30);
        assertThat(acquired).isGreaterThan(guestGone + 30);
        Dump after = hosts.dump(raw.toString());
        assertThat(after.resource("test1").owner()).isEqualTo(2);
        assertThat(after.resource("test1").lver()).isEqualTo(2);
    }
}
