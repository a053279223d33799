package io.jsanlock.dist.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario (scenario.md) end to end with bin/jvirsh and reference sanlock daemons
 * as the lease daemons of Test1 and Test2: part 1 (automatic leases refuse a block device or
 * other non-directory disk_lease_dir) and part 2 (manual leases: start on host 1, exact -243
 * on host 2, kill -9 of host 1's guest releases at once, host 2 takes over with lver 2).
 */
@Tag("slow") // the seed scenarios end to end (two daemons, a join, a dozen jvirsh runs); @Tag is inherited by the four scenario classes
abstract class SeedScenarioTestBase {
    static final String DOMAIN = "test4_sanlock";

    @TempDir
    Path tmp;
    TwoHosts hosts;

    /** io_timeout for the joins (0 = the daemon's default). */
    int joinIoTimeout() {
        return 1;
    }

    /** The shared device the leases live on (a plain file or a loop device over one). */
    abstract String sharedDevice(TwoHosts hosts, Path file);

    @BeforeEach
    void startHosts() throws Exception {
        hosts = new TwoHosts(tmp);
        hosts.startDaemon(1);
        hosts.startDaemon(2);
    }

    @AfterEach
    void stopHosts() throws Exception {
        hosts.close();
    }

    static String domainXml(String device, Path disk) {
        return """
                <domain type='kvm'>
                  <name>test4_sanlock</name>
                  <memory>262144</memory>
                  <vcpu>1</vcpu>
                  <devices>
                    <emulator>/bin/sleep</emulator>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='raw'/>
                      <source file='%s'/>
                      <target dev='hda' bus='ide'/>
                    </disk>
                    <lease>
                      <lockspace>libvirt</lockspace>
                      <key>test1</key>
                      <target path='%s' offset='1048576'/>
                    </lease>
                  </devices>
                  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
                    <qemu:arg value='100000'/>
                  </qemu:commandline>
                </domain>
                """.formatted(disk, device);
    }

    @Test
    void seedScenarioPartOneAndTwo() throws Exception {
        Path raw = tmp.resolve("raw");
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        String dev = sharedDevice(hosts, raw);

        // Part 1: disk_lease_dir names the device, not a directory: every jvirsh command fails.
        hosts.writeConfig(1, "auto_disk_leases = 1\ndisk_lease_dir = \"" + dev + "\"\nhost_id = 1\nio_timeout = 1\n");
        String part1 = "internal error: Unable to create lockspace " + dev
                + "/__LIBVIRT__DISKS__: parent directory does not exist or is not a directory";
        for (List<String> args : List.of(List.of("list", "--all"), List.of("start", DOMAIN))) {
            Cmd.Result r = hosts.jvirsh(1, args.toArray(String[]::new));
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err().lines()).as(r.toString()).contains("error: " + part1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(Files.exists(Path.of(dev, "__LIBVIRT__DISKS__"))).isFalse();

        // Part 2: manual leases.
        for (int h = 1; h <= 2; h++) {
            hosts.writeConfig(h, "auto_disk_leases = 0\nrequire_lease_for_disks = 0\n");
        }
        // The slots are written with the joins' io_timeout: a join waits 2 × the larger of its
        // own io_timeout and the slots' (algorithms.md M2/M3), so with the scenario's default 10
        // in the slots each -o 1 join took 21 s instead of 3.
        List<String> init = new java.util.ArrayList<>(List.of("direct", "init", "-s", "libvirt:0:" + dev + ":0"));
        if (joinIoTimeout() != 0) {
            init.addAll(List.of("-o", Integer.toString(joinIoTimeout())));
        }
        assertThat(hosts.sanlock(0, init.toArray(String[]::new)).out()).contains("init done 0");
        assertThat(hosts.sanlock(0, "direct", "init", "-r", "libvirt:test1:" + dev + ":1048576").out())
                .contains("init done 0");
        hosts.joinBoth("libvirt", dev, joinIoTimeout());
        Dump joined = hosts.dump(dev);
        assertThat(joined.at(0).orElseThrow().owner()).isEqualTo(1);
        assertThat(joined.at(512).orElseThrow().owner()).isEqualTo(2);
        assertThat(joined.resource("test1").lver()).isZero();

        Path xml = tmp.resolve("test4_sanlock.xml");
        Files.writeString(xml, domainXml(dev, tmp.resolve("disk.img")));
        for (int h = 1; h <= 2; h++) {
            Cmd.Result r = hosts.jvirsh(h, "define", xml.toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).isEqualTo("Domain test4_sanlock defined from " + xml + "\n\n");
            Cmd.Result list = hosts.jvirsh(h, "list", "--all");
            assertThat(list.out()).isEqualTo("""
                     Id    Name                           State
                    ----------------------------------------------------
                     -     test4_sanlock                  shut off

                    """);
        }

        // Step 1: Test1 starts the VM: host 1 owns test1 with lver 1.
        Cmd.Result s1 = hosts.jvirsh(1, "start", DOMAIN);
        assertThat(s1.exit()).as(s1.toString()).isZero();
        assertThat(s1.out()).isEqualTo("Domain test4_sanlock started\n\n");
        Dump d1 = hosts.dump(dev);
        assertThat(d1.resource("test1")).satisfies(r -> {
            assertThat(r.timestamp()).isPositive();
            assertThat(r.owner()).isEqualTo(1);
            assertThat(r.generation()).isEqualTo(1);
            assertThat(r.lver()).isEqualTo(1);
        });
        assertThat(hosts.jvirsh(1, "domstate", DOMAIN).out()).isEqualTo("running\n\n");
        long guest = hosts.guestPid(1, DOMAIN).orElseThrow();
        // The guest process itself is the registered sanlock client holding the lease.
        String status = hosts.sanlock(1, "client", "status").out();
        assertThat(status).contains("p " + guest + " test4_sanlock")
                .contains("r libvirt:test1:" + dev + ":1048576:1 p " + guest);
        assertThat(ProcessHandle.of(guest).orElseThrow().info().command().orElse("")).endsWith("sleep");

        // Step 2: Test2 is refused with the scenario's exact error; the domain stays shut off.
        Cmd.Result s2 = hosts.jvirsh(2, "start", DOMAIN);
        assertThat(s2.exit()).isEqualTo(1);
        assertThat(s2.err()).isEqualTo("error: Failed to start domain test4_sanlock\n"
                + "error: resource busy: Failed to acquire lock: error -243\n");
        assertThat(s2.out()).isEmpty();
        assertThat(hosts.jvirsh(2, "domstate", DOMAIN).out()).isEqualTo("shut off\n\n");
        assertThat(hosts.jvirsh(2, "list", "--all").out()).contains(" -     test4_sanlock                  shut off");
        assertThat(Files.list(hosts.stateDir(2).resolve("run")).toList()).isEmpty();
        assertThat(hosts.dump(dev).resource("test1")).isEqualTo(d1.resource("test1"));

        // Step 3: kill -9 of host 1's guest: the daemon frees the lease at once.
        ProcessHandle.of(guest).orElseThrow().destroyForcibly();
        TwoHosts.await("lease released", 5_000, () -> hosts.dump(dev).resource("test1").timestamp() == 0);
        Dump d3 = hosts.dump(dev);
        assertThat(d3.resource("test1").owner()).isEqualTo(1);
        assertThat(d3.resource("test1").generation()).isEqualTo(1);
        assertThat(d3.resource("test1").lver()).isEqualTo(1);
        assertThat(hosts.jvirsh(1, "domstate", DOMAIN).out()).isEqualTo("shut off\n\n");

        // Step 4: Test2 starts it: owner 2, lver 2.
        Cmd.Result s4 = hosts.jvirsh(2, "start", DOMAIN);
        assertThat(s4.exit()).as(s4.toString()).isZero();
        assertThat(s4.out()).isEqualTo("Domain test4_sanlock started\n\n");
        Dump d4 = hosts.dump(dev);
        assertThat(d4.resource("test1").timestamp()).isPositive();
        assertThat(d4.resource("test1").owner()).isEqualTo(2);
        assertThat(d4.resource("test1").generation()).isEqualTo(1);
        assertThat(d4.resource("test1").lver()).isEqualTo(2);
        assertThat(hosts.jvirsh(2, "list", "--all").out()).contains(" 1     test4_sanlock                  running");

        // And host 1 is now the one refused.
        Cmd.Result again = hosts.jvirsh(1, "start", DOMAIN);
        assertThat(again.err()).contains("error: resource busy: Failed to acquire lock: error -243");

        Cmd.Result destroyed = hosts.jvirsh(2, "destroy", DOMAIN);
        assertThat(destroyed.out()).isEqualTo("Domain test4_sanlock destroyed\n\n");
        TwoHosts.await("lease released after destroy", 5_000,
                () -> hosts.dump(dev).resource("test1").timestamp() == 0);
    }
}
