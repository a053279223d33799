package io.jsanlock.dist.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jvirsh's failures: virsh's two-line errors with libvirt's messages, exit status 1, and
 * no change to the host's state. Host 1 has a reference daemon with no lockspace joined;
 * host 2 has no daemon at all.
 */
@org.junit.jupiter.api.Tag("slow") // a whole-system run (~20 s on a loaded 2-core machine): failsafe, not the fast loop
class JvirshErrorsTest {
    @TempDir
    Path tmp;
    TwoHosts hosts;

    @BeforeEach
    void setUp() throws Exception {
        hosts = new TwoHosts(tmp);
        hosts.startDaemon(1);
        for (int h = 1; h <= 2; h++) {
            hosts.writeConfig(h, "auto_disk_leases = 0\nrequire_lease_for_disks = 0\n");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.close();
    }

    static String vm(String name, String uuid, String extra) {
        return "<domain type='kvm'><name>" + name + "</name>" + (uuid == null ? "" : "<uuid>" + uuid + "</uuid>")
                + "<memory>65536</memory>" + extra.replace("$DEV", "<emulator>/bin/sleep</emulator>")
                + "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
                + "<qemu:arg value='100000'/></qemu:commandline></domain>";
    }

    Path file(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    /** Every file of host {@code h}'s state, with content, to prove nothing changed. */
    String snapshot(int h) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(hosts.stateDir(h))) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(".lock")
                        && !p.getFileName().toString().endsWith(".log")) {
                    sb.append(p).append('\n').append(Files.readString(p)).append('\n');
                }
            }
        }
        return sb.toString();
    }

    void fails(int host, String expectedErr, String... args) throws IOException {
        String before = snapshot(host);
        Cmd.Result r = hosts.jvirsh(host, args);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).as(r.toString()).isEqualTo(expectedErr);
        assertThat(r.out()).isEmpty();
        assertThat(snapshot(host)).as("state after " + List.of(args)).isEqualTo(before);
    }

    @Test
    void definitionErrorsChangeNothing() throws Exception {
        String uuid = "11111111-2222-3333-4444-555555555555";
        Path good = file("vm1.xml", vm("vm1", uuid, "<devices>$DEV</devices>"));
        assertThat(hosts.jvirsh(1, "define", good.toString()).out()).isEqualTo("Domain vm1 defined from " + good + "\n\n");

        Path bad = file("bad.xml", "<domain type='kvm'><name>x</name>");
        fails(1, "error: Failed to define domain from " + bad + "\n"
                + "error: XML error: (domain_definition):1: XML document structures must start and end within the same entity.\n",
                "define", bad.toString());
        fails(1, "error: Failed to open file 'nope.xml': No such file or directory\n", "define", "nope.xml");
        Path noLs = file("nols.xml", vm("vm2", null, "<devices>$DEV<lease><key>k</key><target path='/p'/></lease></devices>"));
        fails(1, "error: Failed to define domain from " + noLs + "\nerror: XML error: Missing 'lockspace' element for lease\n",
                "define", noLs.toString());
        Path badAction = file("act.xml", vm("vm2", null, "<on_lockfailure>explode</on_lockfailure><devices>$DEV</devices>"));
        fails(1, "error: Failed to define domain from " + badAction
                + "\nerror: unsupported configuration: unknown on_lockfailure action: explode\n", "define", badAction.toString());

        Path sameName = file("dup.xml", vm("vm1", "99999999-2222-3333-4444-555555555555", "<devices>$DEV</devices>"));
        fails(1, "error: Failed to define domain from " + sameName + "\nerror: operation failed: domain 'vm1' already exists with uuid "
                + uuid + "\n", "define", sameName.toString());
        Path sameUuid = file("dup2.xml", vm("vm9", uuid, "<devices>$DEV</devices>"));
        fails(1, "error: Failed to define domain from " + sameUuid + "\nerror: operation failed: domain 'vm1' is already defined with uuid "
                + uuid + "\n", "define", sameUuid.toString());

        for (String cmd : List.of("start", "destroy", "undefine", "dumpxml", "domstate")) {
            fails(1, "error: failed to get domain 'ghost'\nerror: Domain not found: no domain with matching name 'ghost'\n",
                    cmd, "ghost");
        }
        fails(1, "error: Failed to destroy domain vm1\nerror: Requested operation is not valid: domain is not running\n",
                "destroy", "vm1");
        fails(1, "error: unknown command: 'frobnicate'\n", "frobnicate");
        fails(1, "error: command 'start' requires <domain> option\n", "start");

        assertThat(hosts.jvirsh(1, "dumpxml", "vm1").out()).contains("<uuid>" + uuid + "</uuid>");
        assertThat(hosts.jvirsh(1, "undefine", "vm1").out()).isEqualTo("Domain vm1 has been undefined\n\n");
        assertThat(hosts.jvirsh(1, "list", "--all").out()).doesNotContain("vm1");
    }

    @Test
    void startErrorsLeaveTheDomainShutOff() throws Exception {
        Path raw = tmp.resolve("raw");
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(2 << 20);
        }
        assertThat(hosts.sanlock(0, "direct", "init", "-s", "libvirt:0:" + raw + ":0").out()).contains("init done 0");
        assertThat(hosts.sanlock(0, "direct", "init", "-r", "libvirt:test1:" + raw + ":1048576").out()).contains("init done 0");
        String lease = "<lease><lockspace>libvirt</lockspace><key>test1</key><target path='" + raw
                + "' offset='1048576'/></lease>";
        Path leased = file("leased.xml", vm("leased", null, "<devices>$DEV" + lease + "</devices>"));
        Path restart = file("restart.xml", vm("restarter", null,
                "<on_lockfailure>restart</on_lockfailure><devices>$DEV" + lease + "</devices>"));
        Path disk = file("rw.xml", vm("rw", null,
                "<devices>$DEV<disk type='file'><source file='" + tmp.resolve("d.img") + "'/><target dev='vda'/></disk></devices>"));
        Path noEmu = file("noemu.xml", "<domain type='kvm'><name>noemu</name><memory>1024</memory>"
                + "<devices><emulator>/no/such/qemu</emulator></devices></domain>");
        for (int h = 1; h <= 2; h++) {
            for (Path p : List.of(leased, restart, disk, noEmu)) {
                assertThat(hosts.jvirsh(h, "define", p.toString()).exit()).isZero();
            }
        }

        // The lease's lockspace is not joined on host 1 (the admin skipped add_lockspace).
        fails(1, "error: Failed to start domain leased\nerror: Failed to acquire lock: No space left on device\n",
                "start", "leased");
        fails(1, "error: Failed to start domain restarter\nerror: internal error: Process exited prior to exec: "
                + "libvirt: Lock Driver error : unsupported configuration: Failure action restart is not supported by sanlock\n",
                "start", "restarter");
        fails(1, "error: Failed to start domain noemu\nerror: Cannot check QEMU binary /no/such/qemu: No such file or directory\n",
                "start", "noemu");
        // Host 2 has no lease daemon.
        fails(2, "error: Failed to start domain leased\nerror: internal error: Process exited prior to exec: "
                + "libvirt: Lock Driver error : Failed to open socket to sanlock daemon: No such file or directory\n",
                "start", "leased");

        // require_lease_for_disks = 1 (the manual-mode default) refuses an unprotected writable disk.
        hosts.writeConfig(1, "auto_disk_leases = 0\n");
        fails(1, "error: Failed to start domain rw\nerror: internal error: Process exited prior to exec: libvirt: Lock Driver "
                + "error : unsupported configuration: Read/write, exclusive access, disks were present, but no leases specified\n",
                "start", "rw");
        // ... and = 0 lets it run unprotected, as the scenario's hosts do.
        hosts.writeConfig(1, "auto_disk_leases = 0\nrequire_lease_for_disks = 0\n");
        Cmd.Result ok = hosts.jvirsh(1, "start", "rw");
        assertThat(ok.out()).as(ok.toString()).isEqualTo("Domain rw started\n\n");
        fails(1, "error: Failed to start domain rw\nerror: Requested operation is not valid: domain is already running\n",
                "start", "rw");

        // Undefining a running domain leaves it running as a transient domain until it stops.
        assertThat(hosts.jvirsh(1, "undefine", "rw").exit()).isZero();
        assertThat(hosts.jvirsh(1, "list", "--all").out()).contains(" 1     rw                             running");
        assertThat(hosts.jvirsh(1, "destroy", "rw").out()).isEqualTo("Domain rw destroyed\n\n");
        assertThat(hosts.jvirsh(1, "list", "--all").out()).doesNotContain(" rw ");
    }

    @Test
    void aBadDriverConfigFailsEveryCommand() throws Exception {
        Path conf = hosts.stateDir(1).resolve("qemu-sanlock.conf");
        Path good = file("vm1.xml", vm("vm1", null, "<devices>$DEV</devices>"));
        assertThat(hosts.jvirsh(1, "define", good.toString()).exit()).isZero();
        String[][] cases = {
            {"auto_disk_leases = 1\nhost_id = yes\n", "configuration file syntax error: " + conf + ":2: expecting a value"},
            {"auto_disk_leases = 2\n", "internal error: " + conf + ": value for 'auto_disk_leases' parameter must be 0 or 1"},
            {"host_id = \"1\"\n", "internal error: " + conf + ": expected an unsigned integer for 'host_id' parameter"},
            {"auto_disk_leases = 1\n", "internal error: Automatic disk lease mode enabled, but no host ID is set"},
            {"user = \"nobody-such\"\n", "invalid argument: Failed to parse user 'nobody-such'"},
        };
        for (String[] c : cases) {
            hosts.writeConfig(1, c[0]);
            for (String[] args : new String[][] {{"list", "--all"}, {"start", "vm1"}, {"define", good.toString()}}) {
                fails(1, "error: failed to connect to the hypervisor\nerror: " + c[1]
                        + "\nerror: Initialization of QEMU state driver failed: " + c[1]
                        + "\nerror: Driver state initialization failed\n", args);
            }
        }
    }
}
