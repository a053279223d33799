package io.jsanlock.dist.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvirsh autostart} and {@code jvirsh start-autostart} (what jvirsh-autostart.service
 * runs at boot) with manual leases on a shared file: host 1 runs jsanlock's daemon (as the
 * package installs it), host 2 the reference one. Of two defined domains only the one marked
 * autostart starts, holding its lease; a second run starts nothing twice; a host whose
 * autostart domain's lease is held by the other reports -243 as expected, not as a failure.
 */
@org.junit.jupiter.api.Tag("slow") // a whole-system run (~20 s on a loaded 2-core machine): failsafe, not the fast loop
class AutostartTest {
    @TempDir
    Path tmp;
    TwoHosts hosts;
    Path leases;

    @BeforeEach
    void setUp() throws Exception {
        hosts = new TwoHosts(tmp);
        hosts.startDaemon(1, TwoHosts.DaemonKind.JSANLOCK);
        hosts.startDaemon(2);
        leases = tmp.resolve("leases");
        try (var f = new java.io.RandomAccessFile(leases.toFile(), "rw")) {
            f.setLength(3 << 20);
        }
        // io_timeout 1 in the slots as in the joins (joinBoth): a join waits 2 × the larger of
        // the two (algorithms.md M2/M3), 21 s with slots left at the default 10, 3 s like this.
        assertThat(hosts.sanlock(0, "direct", "init", "-s", "libvirt:0:" + leases + ":0", "-o", "1").out())
                .contains("init done 0");
        for (String[] r : new String[][] {{"vmA", "1048576"}, {"vmB", "2097152"}}) {
            assertThat(hosts.sanlock(0, "direct", "init", "-r", "libvirt:" + r[0] + ":" + leases + ":" + r[1]).out())
                    .contains("init done 0");
        }
        for (int h = 1; h <= 2; h++) {
            hosts.writeConfig(h, "auto_disk_leases = 0\nrequire_lease_for_disks = 0\n");
        }
        hosts.joinBoth("libvirt", leases.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.close();
    }

    void define(int host, String name, long offset) throws Exception {
        Path xml = tmp.resolve(name + "-" + host + ".xml");
        Files.writeString(xml, """
                <domain type='kvm'>
                  <name>%s</name>
                  <memory unit='MiB'>64</memory>
                  <devices>
                    <emulator>/bin/sleep</emulator>
                    <lease>
                      <lockspace>libvirt</lockspace>
                      <key>%s</key>
                      <target path='%s' offset='%d'/>
                    </lease>
                  </devices>
                  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
                    <qemu:arg value='100000'/>
                  </qemu:commandline>
                </domain>
                """.formatted(name, name, leases, offset));
        Cmd.Result r = hosts.jvirsh(host, "define", xml.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void startAutostartStartsExactlyTheMarkedDomainOnceAndTreatsALeaseHeldElsewhereAsNormal() throws Exception {
        define(1, "vmA", 1 << 20);
        define(1, "vmB", 2 << 20);
        define(2, "vmA", 1 << 20);

        Cmd.Result mark = hosts.jvirsh(1, "autostart", "vmA");
        assertThat(mark.out()).as(mark.toString()).isEqualTo("Domain vmA marked as autostarted\n\n");
        assertThat(hosts.jvirsh(1, "list", "--all", "--autostart").out()).isEqualTo("""
                 Id    Name                           State
                ----------------------------------------------------
                 -     vmA                            shut off

                """);
        assertThat(hosts.jvirsh(1, "list", "--all", "--no-autostart").out()).contains(" vmB ").doesNotContain(" vmA ");
        assertThat(hosts.jvirsh(1, "dominfo", "vmA").out()).contains("\nAutostart:      enable\n");
        assertThat(hosts.jvirsh(1, "dominfo", "vmB").out()).contains("\nAutostart:      disable\n");

        // The boot-time run: vmA starts and its guest holds vmA's lease; vmB stays shut off.
        Cmd.Result first = hosts.jvirsh(1, "start-autostart");
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.err()).isEmpty();
        long guest = hosts.guestPid(1, "vmA").orElseThrow();
        assertThat(first.out()).isEqualTo("Domain vmA started (id 1, pid " + guest + ")\n");
        assertThat(hosts.jvirsh(1, "domstate", "vmA").out()).isEqualTo("running\n\n");
        assertThat(hosts.jvirsh(1, "domstate", "vmB").out()).isEqualTo("shut off\n\n");
        String status = hosts.sanlock(1, "client", "status").out();
        assertThat(status).contains("r libvirt:vmA:" + leases + ":1048576:1 p " + guest).doesNotContain("vmB");
        assertThat(hosts.dump(leases.toString()).resource("vmA").owner()).isEqualTo(1);
        assertThat(hosts.dump(leases.toString()).resource("vmB").timestamp()).isZero();

        // A second run starts nothing twice: same guest, one lease holder.
        Cmd.Result second = hosts.jvirsh(1, "start-autostart");
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).isEqualTo("Domain vmA is already active (running): left alone\n");
        assertThat(hosts.guestPid(1, "vmA")).contains(guest);
        assertThat(ProcessHandle.of(guest).map(ProcessHandle::isAlive)).contains(true);
        assertThat(hosts.jvirsh(1, "list").out()).isEqualTo("""
                 Id    Name                           State
                ----------------------------------------------------
                 1     vmA                            running

                """);

        // Host 2 marks vmA too: its lease is held by live host 1, so -243, reported, exit 0.
        assertThat(hosts.jvirsh(2, "autostart", "vmA").exit()).isZero();
        Cmd.Result other = hosts.jvirsh(2, "start-autostart");
        assertThat(other.exit()).as(other.toString()).isZero();
        assertThat(other.err()).isEmpty();
        assertThat(other.out()).isEqualTo("Domain vmA not started: its lease is held by another live host (resource busy:"
                + " Failed to acquire lock: error -243); normal when that host runs it\n");
        assertThat(hosts.jvirsh(2, "domstate", "vmA").out()).isEqualTo("shut off\n\n");

        // Unmarked: listed as not autostart, and start-autostart has nothing to do.
        Cmd.Result unmark = hosts.jvirsh(1, "autostart", "--disable", "vmA");
        assertThat(unmark.out()).as(unmark.toString()).isEqualTo("Domain vmA unmarked as autostarted\n\n");
        assertThat(hosts.jvirsh(1, "dominfo", "vmA").out()).contains("\nAutostart:      disable\n");
        assertThat(hosts.jvirsh(1, "start-autostart").out()).isEqualTo("No domain is marked autostart\n");
    }

    @Test
    void undefineDropsTheAutostartMarkAndUnknownDomainsFailAsVirshDoes() throws Exception {
        define(1, "vmB", 2 << 20);
        assertThat(hosts.jvirsh(1, "autostart", "vmB").exit()).isZero();
        assertThat(hosts.jvirsh(1, "undefine", "vmB").exit()).isZero();
        assertThat(Files.isSymbolicLink(hosts.stateDir(1).resolve("qemu/autostart/vmB.xml"))).isFalse();
        Cmd.Result r = hosts.jvirsh(1, "autostart", "nosuch");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: failed to get domain 'nosuch'\n"
                + "error: Domain not found: no domain with matching name 'nosuch'\n");
    }
}
