package io.jsanlock.vm.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockException;
import io.jsanlock.vm.VirError;
import io.jsanlock.vm.config.SanlockDriverConfig;
import io.jsanlock.vm.domain.DomainDef;
import io.jsanlock.vm.domain.DomainXml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SanlockLockDriverTest {
    /** Records what the driver asks of the daemon; results can be scripted. */
    static class FakeDaemon implements LeaseDaemon {
        final List<String> calls = new ArrayList<>();
        final Deque<Integer> addResults = new ArrayDeque<>();
        int writeResult;
        int acquireResult;

        private static void check(int rv) throws SanlockException {
            if (rv < 0) {
                throw new SanlockException(rv, "scripted " + rv, null);
            }
        }

        @Override
        public long align(String path) {
            calls.add("align " + path);
            return 1 << 20;
        }

        @Override
        public void writeLockspace(String name, String path, long offset, int ioTimeout) throws SanlockException {
            calls.add("write_lockspace " + name + ":" + path + ":" + offset + " io_timeout " + ioTimeout);
            check(writeResult);
        }

        @Override
        public void writeResource(String lockspace, String name, String path, long offset) throws SanlockException {
            calls.add("write_resource " + lockspace + ":" + name + ":" + path + ":" + offset);
            check(writeResult);
        }

        @Override
        public void addLockspace(String name, long hostId, String path, long offset, int ioTimeout)
                throws SanlockException {
            calls.add("add_lockspace " + name + ":" + hostId + ":" + path + ":" + offset + " io_timeout " + ioTimeout);
            check(addResults.isEmpty() ? 0 : addResults.poll());
        }

        @Override
        public int inqLockspaceWait(String name, long hostId, String path, long offset) {
            calls.add("inq_lockspace_wait " + name);
            return 0;
        }

        @Override
        public void acquire(long pid, List<LeaseSpec> leases, String ownerName) throws SanlockException {
            calls.add("acquire " + pid + " " + leases + " " + ownerName);
            check(acquireResult);
        }

        @Override
        public void release(long pid, List<LeaseSpec> leases) {
            calls.add("release " + pid + " " + leases);
        }

        @Override
        public String inquire(long pid) {
            return "";
        }
    }

    @TempDir
    Path tmp;
    final FakeDaemon daemon = new FakeDaemon();

    SanlockDriverConfig auto(Path dir) {
        return new SanlockDriverConfig(true, dir.toString(), 7, false, 2, OptionalInt.empty(), OptionalInt.empty());
    }

    static SanlockDriverConfig manual(boolean requireLease) {
        return new SanlockDriverConfig(false, "/nonexistent", 0, requireLease, 0, OptionalInt.empty(),
                OptionalInt.empty());
    }

    static DomainDef domain(String devices) throws VirError {
        return DomainXml.parse("<domain type='kvm'><name>vm1</name><memory>1024</memory><devices>" + devices
                + "</devices></domain>");
    }

    @Test
    void manualModeDoesNothingAtStartUp() throws VirError {
        new SanlockLockDriver(manual(true), daemon).initialize();
        assertThat(daemon.calls).isEmpty();
    }

    @Test
    void autoLockspaceIsCreatedInitialisedAndJoined() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("leases"));
        new SanlockLockDriver(auto(dir), daemon).initialize();
        Path ls = dir.resolve("__LIBVIRT__DISKS__");
        assertThat(Files.size(ls)).isEqualTo(1 << 20);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ls))).isEqualTo("rw-------");
        // built under a private name, published complete, then joined under the real name
        String tmpName = dir.resolve(".__LIBVIRT__DISKS__.new-" + ProcessHandle.current().pid()).toString();
        assertThat(daemon.calls).containsExactly("align " + tmpName,
                "write_lockspace __LIBVIRT__DISKS__:" + tmpName + ":0 io_timeout 2",
                "add_lockspace __LIBVIRT__DISKS__:7:" + ls + ":0 io_timeout 2");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("__LIBVIRT__DISKS__");
        }

        // Next start: the file exists, is not rewritten, and "already joined" is success.
        daemon.calls.clear();
        daemon.addResults.add(-17);
        new SanlockLockDriver(auto(dir), daemon).initialize();
        assertThat(daemon.calls).containsExactly("add_lockspace __LIBVIRT__DISKS__:7:" + ls + ":0 io_timeout 2");
    }

    @Test
    void groupMakesTheLockspaceGroupReadWriteButNotLeaseFiles() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("leases"));
        int gid = (Integer) Files.getAttribute(dir, "unix:gid");
        SanlockDriverConfig c = new SanlockDriverConfig(true, dir.toString(), 1, false, 0, OptionalInt.empty(),
                OptionalInt.of(gid));
        new SanlockLockDriver(c, daemon).initialize();
        Path ls = dir.resolve("__LIBVIRT__DISKS__");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ls))).isEqualTo("rw-rw----");
        // an existing lockspace file lacking group access gets it
        Files.setPosixFilePermissions(ls, PosixFilePermissions.fromString("rw-------"));
        new SanlockLockDriver(c, daemon).initialize();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ls))).isEqualTo("rw-rw----");
        // lease files stay 0600 even with a group (libvirt quirk kept, §8)
        new SanlockLockDriver(c, daemon).leasesFor(domain("<disk type='file'><source file='/a'/><target dev='vda'/></disk>"));
        Path lease = dir.resolve(SanlockLockDriver.md5Hex("/a"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lease))).isEqualTo("rw-------");
        assertThat((Integer) Files.getAttribute(lease, "unix:gid")).isEqualTo(gid);
    }

    @Test
    void aLockspaceFileAnotherHostPublishedFirstIsKept() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("leases"));
        Path ls = dir.resolve("__LIBVIRT__DISKS__");
        // the other host publishes between our existence check and our link
        FakeDaemon racing = new FakeDaemon() {
            @Override
            public void writeLockspace(String name, String path, long offset, int ioTimeout) throws SanlockException {
                super.writeLockspace(name, path, offset, ioTimeout);
                try {
                    Files.writeString(ls, "theirs");
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        new SanlockLockDriver(auto(dir), racing).initialize();
        assertThat(Files.readString(ls)).isEqualTo("theirs");
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(ls);
        }
        assertThat(racing.calls).last().asString().startsWith("add_lockspace __LIBVIRT__DISKS__:7:" + ls);
    }

    @Test
    void joinInProgressIsWaitedForAndRetried() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("leases"));
        daemon.addResults.add(-115);
        new SanlockLockDriver(auto(dir), daemon).initialize();
        assertThat(daemon.calls).filteredOn(c -> c.startsWith("add_lockspace") || c.startsWith("inq"))
                .hasSize(3).element(1).asString().startsWith("inq_lockspace_wait");
    }

    @Test
    void joinFailureIsFatal() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("leases"));
        daemon.addResults.add(-262);
        Path ls = dir.resolve("__LIBVIRT__DISKS__");
        assertThatThrownBy(() -> new SanlockLockDriver(auto(dir), daemon).initialize())
                .hasMessage("internal error: Unable to add lockspace " + ls + ": error -262");
        daemon.addResults.add(-2);
        assertThatThrownBy(() -> new SanlockLockDriver(auto(dir), daemon).initialize())
                .hasMessage("Unable to add lockspace " + ls + ": No such file or directory");
    }

    @Test
    void diskLeaseDirMustBeADirectory() throws Exception {
        Path notDir = Files.createFile(tmp.resolve("sanlock"));
        assertThatThrownBy(() -> new SanlockLockDriver(auto(notDir), daemon).initialize())
                .hasMessage("internal error: Unable to create lockspace " + notDir
                        + "/__LIBVIRT__DISKS__: parent directory does not exist or is not a directory");
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> new SanlockLockDriver(auto(missing), daemon).initialize())
                .hasMessageEndingWith("parent directory does not exist or is not a directory");
        assertThat(daemon.calls).isEmpty();
    }

    @Test
    void failedInitialisationRemovesTheHalfMadeFile() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("leases"));
        daemon.writeResult = -19;
        assertThatThrownBy(() -> new SanlockLockDriver(auto(dir), daemon).initialize())
                .hasMessage("Unable to initialize lockspace " + dir.resolve("__LIBVIRT__DISKS__") + ": No such device");
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void automaticLeasesPerDisk() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("leases"));
        SanlockLockDriver d = new SanlockLockDriver(auto(dir), daemon);
        DomainDef def = domain("""
                <disk type='file'><source file='/var/lib/libvirt/images/demo.img'/><target dev='vda'/></disk>
                <disk type='block'><source dev='/dev/storage/test4_sanlock'/><target dev='vdb'/><shareable/></disk>
                <disk type='file' device='cdrom'><source file='/iso/x.iso'/><target dev='hdc'/><readonly/></disk>
                <disk type='network'><source protocol='nbd' name='x'/><target dev='vdc'/></disk>
                """);
        List<LeaseSpec> leases = d.leasesFor(def);
        assertThat(leases).containsExactly(
                new LeaseSpec("__LIBVIRT__DISKS__", "bfa0240911bc17753e0b473688822159",
                        dir + "/bfa0240911bc17753e0b473688822159", 0, false),
                new LeaseSpec("__LIBVIRT__DISKS__", "fb224bfaf020489da17cf6799c1f209c",
                        dir + "/fb224bfaf020489da17cf6799c1f209c", 0, true));
        Path lease = dir.resolve("bfa0240911bc17753e0b473688822159");
        assertThat(Files.size(lease)).isEqualTo(1 << 20);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lease))).isEqualTo("rw-------");
        assertThat(daemon.calls).contains("write_resource __LIBVIRT__DISKS__:bfa0240911bc17753e0b473688822159:"
                + dir.resolve(".bfa0240911bc17753e0b473688822159.new-" + ProcessHandle.current().pid()) + ":0");
        // existing lease files are used as they are
        daemon.calls.clear();
        d.leasesFor(def);
        assertThat(daemon.calls).isEmpty();
    }

    @Test
    void manualLeasesComeFirstAndDisksAreNotLockedInManualMode() throws Exception {
        SanlockLockDriver d = new SanlockLockDriver(manual(true), daemon);
        DomainDef def = domain("""
                <disk type='file'><source file='/img'/><target dev='vda'/></disk>
                <lease><lockspace>libvirt</lockspace><key>test1</key><target path='/dev/mapper/raw' offset='1048576'/></lease>
                """);
        assertThat(d.leasesFor(def)).containsExactly(
                new LeaseSpec("libvirt", "test1", "/dev/mapper/raw", 1048576, false));
    }

    @Test
    void requireLeaseForDisks() throws Exception {
        DomainDef rw = domain("<disk type='file'><source file='/img'/><target dev='vda'/></disk>");
        assertThatThrownBy(() -> new SanlockLockDriver(manual(true), daemon).leasesFor(rw)).hasMessage(
                "unsupported configuration: Read/write, exclusive access, disks were present, but no leases specified");
        assertThat(new SanlockLockDriver(manual(false), daemon).leasesFor(rw)).isEmpty();
        DomainDef ro = domain("<disk type='file'><source file='/img'/><target dev='vda'/><readonly/></disk>"
                + "<disk type='file'><source file='/img2'/><target dev='vdb'/><shareable/></disk>");
        assertThat(new SanlockLockDriver(manual(true), daemon).leasesFor(ro)).isEmpty();
    }

    @Test
    void atMostEightResourcesCountingEveryOfferedDisk() throws Exception {
        StringBuilder eight = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            eight.append("<lease><lockspace>ls</lockspace><key>k").append(i).append("</key><target path='/p' offset='")
                    .append(i << 20).append("'/></lease>");
        }
        SanlockLockDriver d = new SanlockLockDriver(manual(false), daemon);
        assertThat(d.leasesFor(domain(eight.toString()))).hasSize(8);
        assertThatThrownBy(() -> d.leasesFor(domain(eight
                + "<disk type='file' device='cdrom'><source file='/i.iso'/><target dev='hdc'/><readonly/></disk>")))
                .hasMessage("internal error: Too many resources 8 for object");
    }

    @Test
    void nameAndPathLimits() throws Exception {
        SanlockLockDriver d = new SanlockLockDriver(manual(false), daemon);
        String n48 = "x".repeat(48);
        assertThatThrownBy(() -> d.leasesFor(domain("<lease><lockspace>" + n48
                + "</lockspace><key>k</key><target path='/p'/></lease>")))
                .hasMessage("internal error: Resource lockspace '" + n48 + "' exceeds 48 characters");
        assertThatThrownBy(() -> d.leasesFor(domain("<lease><lockspace>ls</lockspace><key>" + n48
                + "</key><target path='/p'/></lease>")))
                .hasMessage("internal error: Resource name '" + n48 + "' exceeds 48 characters");
        assertThat(d.leasesFor(domain("<lease><lockspace>" + "y".repeat(47) + "</lockspace><key>k</key><target path='/p'/></lease>")))
                .hasSize(1);
    }

    @Test
    void acquireErrorsAsLibvirtShowsThem() throws Exception {
        SanlockLockDriver d = new SanlockLockDriver(manual(false), daemon);
        List<LeaseSpec> one = List.of(new LeaseSpec("libvirt", "test1", "/dev/mapper/raw", 1048576, false));
        daemon.acquireResult = -243;
        assertThatThrownBy(() -> d.acquire(42, "test4_sanlock", one))
                .hasMessage("resource busy: Failed to acquire lock: error -243");
        daemon.acquireResult = -28;
        assertThatThrownBy(() -> d.acquire(42, "test4_sanlock", one))
                .hasMessage("Failed to acquire lock: No space left on device");
        daemon.acquireResult = -17;
        assertThatThrownBy(() -> d.acquire(42, "test4_sanlock", one)).hasMessage("Failed to acquire lock: File exists");
        daemon.acquireResult = 0;
        daemon.calls.clear();
        d.acquire(42, "test4_sanlock", one);
        assertThat(daemon.calls).containsExactly("acquire 42 [libvirt:test1:/dev/mapper/raw:1048576] test4_sanlock");
        daemon.calls.clear();
        d.acquire(42, "vm", List.of());
        assertThat(daemon.calls).isEmpty();
    }
}
