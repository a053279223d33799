package io.jsanlock.dist.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.vm.lock.SanlockLockDriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic disk leases (vm-leases.md §2) on two hosts sharing one disk_lease_dir, with
 * reference sanlock daemons: the __LIBVIRT__DISKS__ lockspace is created and joined by the
 * driver; a writable disk cannot be used by domains on two hosts (nor by two domains on one
 * host); a shareable disk can; a read-only disk gets no lease.
 */
@org.junit.jupiter.api.Tag("slow") // a whole-system run (~15 s on a loaded 2-core machine): failsafe, not the fast loop
class AutoDiskLeasesTest {
    @TempDir
    Path tmp;
    TwoHosts hosts;
    Path leaseDir;

    @BeforeEach
    void setUp() throws Exception {
        hosts = new TwoHosts(tmp);
        hosts.startDaemon(1);
        hosts.startDaemon(2);
        leaseDir = Files.createDirectory(tmp.resolve("sanlock"));
        for (int h = 1; h <= 2; h++) {
            hosts.writeConfig(h, "auto_disk_leases = 1\ndisk_lease_dir = \"" + leaseDir + "\"\nhost_id = " + h
                    + "\nio_timeout = 1\n");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.close();
    }

    String domain(String name, Path disk, String flags) {
        return """
                <domain type='kvm'>
                  <name>%s</name>
                  <memory unit='MiB'>64</memory>
                  <devices>
                    <emulator>/bin/sleep</emulator>
                    <disk type='file' device='disk'>
                      <source file='%s'/>
                      <target dev='vda' bus='virtio'/>
                      %s
                    </disk>
                  </devices>
                  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
                    <qemu:arg value='100000'/>
                  </qemu:commandline>
                </domain>
                """.formatted(name, disk, flags);
    }

    void define(int host, String name, Path disk, String flags) throws Exception {
        Path xml = tmp.resolve(name + "-" + host + ".xml");
        Files.writeString(xml, domain(name, disk, flags));
        Cmd.Result r = hosts.jvirsh(host, "define", xml.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void automaticLeasesProtectWritableDisksAndShareShareableOnes() throws Exception {
        // Driver start-up on both hosts creates and joins the automatic lockspace.
        CompletableFuture<Cmd.Result> l1 = CompletableFuture.supplyAsync(() -> hosts.jvirsh(1, "list", "--all"), Cmd.ASYNC);
        Cmd.Result l2 = hosts.jvirsh(2, "list", "--all");
        assertThat(l1.get().exit()).as(l1.get().toString()).isZero();
        assertThat(l2.exit()).as(l2.toString()).isZero();
        Path ls = leaseDir.resolve("__LIBVIRT__DISKS__");
        assertThat(Files.size(ls)).isEqualTo(1 << 20);
        assertThat(hosts.sanlock(1, "client", "status").out()).contains("s __LIBVIRT__DISKS__:1:" + ls + ":0");
        assertThat(hosts.sanlock(2, "client", "status").out()).contains("s __LIBVIRT__DISKS__:2:" + ls + ":0");

        Path disk = tmp.resolve("shared.img");
        Path shareable = tmp.resolve("cluster-fs.img");
        Path iso = tmp.resolve("install.iso");
        define(1, "vmA", disk, "");
        define(1, "vmA2", disk, "");
        define(2, "vmB", disk, "");
        define(1, "vmC", shareable, "<shareable/>");
        define(2, "vmD", shareable, "<shareable/>");
        define(2, "vmE", iso, "<readonly/>");

        // A writable disk: one domain, on one host, at a time.
        Cmd.Result a = hosts.jvirsh(1, "start", "vmA");
        assertThat(a.out()).as(a.toString()).isEqualTo("Domain vmA started\n\n");
        String md5 = SanlockLockDriver.md5Hex(disk.toString());
        Path lease = leaseDir.resolve(md5);
        assertThat(Files.size(lease)).isEqualTo(1 << 20);
        long guestA = hosts.guestPid(1, "vmA").orElseThrow();
        assertThat(hosts.sanlock(1, "client", "status").out())
                .contains("r __LIBVIRT__DISKS__:" + md5 + ":" + lease + ":0:1 p " + guestA);

        Cmd.Result b = hosts.jvirsh(2, "start", "vmB");
        assertThat(b.exit()).isEqualTo(1);
        assertThat(b.err()).isEqualTo("error: Failed to start domain vmB\n"
                + "error: resource busy: Failed to acquire lock: error -243\n");
        assertThat(hosts.jvirsh(2, "domstate", "vmB").out()).isEqualTo("shut off\n\n");

        Cmd.Result a2 = hosts.jvirsh(1, "start", "vmA2");
        assertThat(a2.err()).isEqualTo("error: Failed to start domain vmA2\n"
                + "error: Failed to acquire lock: File exists\n");

        // Once vmA is gone, vmB may run on host 2.
        assertThat(hosts.jvirsh(1, "destroy", "vmA").out()).isEqualTo("Domain vmA destroyed\n\n");
        TwoHosts.await("lease free", 5_000, () -> hosts.dump(lease.toString()).resource(md5).timestamp() == 0);
        Cmd.Result b2 = hosts.jvirsh(2, "start", "vmB");
        assertThat(b2.out()).as(b2.toString()).isEqualTo("Domain vmB started\n\n");
        assertThat(hosts.dump(lease.toString()).resource(md5).owner()).isEqualTo(2);

        // A shareable disk: shared leases, both hosts run their domain.
        Cmd.Result c = hosts.jvirsh(1, "start", "vmC");
        assertThat(c.out()).as(c.toString()).isEqualTo("Domain vmC started\n\n");
        Cmd.Result d = hosts.jvirsh(2, "start", "vmD");
        assertThat(d.out()).as(d.toString()).isEqualTo("Domain vmD started\n\n");
        String shMd5 = SanlockLockDriver.md5Hex(shareable.toString());
        assertThat(hosts.sanlock(1, "client", "status").out()).contains("r __LIBVIRT__DISKS__:" + shMd5 + ":"
                + leaseDir.resolve(shMd5) + ":0:SH p " + hosts.guestPid(1, "vmC").orElseThrow());
        assertThat(hosts.sanlock(2, "client", "status").out()).contains(":0:SH p " + hosts.guestPid(2, "vmD").orElseThrow());

        // A read-only disk gets no lease at all.
        Cmd.Result e = hosts.jvirsh(2, "start", "vmE");
        assertThat(e.out()).as(e.toString()).isEqualTo("Domain vmE started\n\n");
        assertThat(leaseDir.resolve(SanlockLockDriver.md5Hex(iso.toString()))).doesNotExist();
        assertThat(hosts.jvirsh(2, "list").out()).contains("vmB", "vmD", "vmE").doesNotContain("vmA");
    }
}
