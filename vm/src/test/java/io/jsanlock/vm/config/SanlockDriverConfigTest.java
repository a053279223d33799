package io.jsanlock.vm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.vm.VirError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SanlockDriverConfigTest {
    static final String F = "/etc/libvirt/qemu-sanlock.conf";

    @Test
    void missingFileMeansEveryDefault(@TempDir Path dir) throws VirError {
        SanlockDriverConfig c = SanlockDriverConfig.load(dir.resolve("qemu-sanlock.conf"));
        assertThat(c).isEqualTo(SanlockDriverConfig.defaults());
        assertThat(c.autoDiskLeases()).isFalse();
        assertThat(c.diskLeaseDir()).isEqualTo("/var/lib/libvirt/sanlock");
        assertThat(c.hostId()).isZero();
        assertThat(c.requireLeaseForDisks()).isTrue();
        assertThat(c.ioTimeout()).isZero();
        assertThat(c.user()).isEmpty();
    }

    @Test
    void unreadableConfigIsFatal(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("qemu-sanlock.conf");
        Files.createDirectory(f);
        assertThatThrownBy(() -> SanlockDriverConfig.load(f)).isInstanceOf(VirError.class)
                .hasMessage("Unable to access config file " + f + ": Is a directory");
    }

    @Test
    void scenarioPartTwoConfig() throws VirError {
        SanlockDriverConfig c = SanlockDriverConfig.parse(F, "auto_disk_leases = 0\nrequire_lease_for_disks = 0\n");
        assertThat(c.autoDiskLeases()).isFalse();
        assertThat(c.requireLeaseForDisks()).isFalse();
    }

    @Test
    void requireLeaseDefaultFollowsModeWhereverItAppears() throws VirError {
        assertThat(SanlockDriverConfig.parse(F, "auto_disk_leases = 1\nhost_id = 3\n").requireLeaseForDisks()).isFalse();
        assertThat(SanlockDriverConfig.parse(F, "auto_disk_leases = 0\n").requireLeaseForDisks()).isTrue();
        SanlockDriverConfig c = SanlockDriverConfig.parse(F,
                "require_lease_for_disks = 1\nauto_disk_leases = 1\nhost_id = 1\n");
        assertThat(c.requireLeaseForDisks()).isTrue();
    }

    @Test
    void allKeys() throws VirError {
        SanlockDriverConfig c = SanlockDriverConfig.parse(F, """
                auto_disk_leases = 1
                disk_lease_dir = "/srv/leases"
                host_id = 2000
                io_timeout = 2
                user = "+4242"
                group = "0"
                ignore_readonly_and_shared_disks = 1
                some_unknown_key = "ignored"
                """);
        assertThat(c.autoDiskLeases()).isTrue();
        assertThat(c.diskLeaseDir()).isEqualTo("/srv/leases");
        assertThat(c.hostId()).isEqualTo(2000);
        assertThat(c.ioTimeout()).isEqualTo(2);
        assertThat(c.user()).isEqualTo(OptionalInt.of(4242));
        assertThat(c.group()).isEqualTo(OptionalInt.of(0));
        assertThat(SanlockDriverConfig.parse(F, "user = \"root\"").user()).isEqualTo(OptionalInt.of(0));
    }

    static void invalid(String text, String message) {
        assertThatThrownBy(() -> SanlockDriverConfig.parse(F, text)).isInstanceOf(VirError.class).hasMessage(message);
    }

    @Test
    void typeErrorsUseLibvirtsWording() {
        invalid("auto_disk_leases = \"1\"", "internal error: " + F + ": expected a bool for 'auto_disk_leases' parameter");
        invalid("auto_disk_leases = -1", "internal error: " + F + ": expected a bool for 'auto_disk_leases' parameter");
        invalid("require_lease_for_disks = 2",
                "internal error: " + F + ": value for 'require_lease_for_disks' parameter must be 0 or 1");
        invalid("host_id = \"1\"", "internal error: " + F + ": expected an unsigned integer for 'host_id' parameter");
        invalid("io_timeout = -5", "internal error: " + F + ": expected an unsigned integer for 'io_timeout' parameter");
        invalid("host_id = 4294967296",
                "internal error: " + F + ": value for 'host_id' parameter must be in range 0:4294967295");
        invalid("disk_lease_dir = 5", "internal error: " + F + ": expected a string for 'disk_lease_dir' parameter");
        invalid("user = [\"a\"]", "internal error: " + F + ": expected a string for 'user' parameter");
    }

    @Test
    void autoModeNeedsHostId() {
        invalid("auto_disk_leases = 1", "internal error: Automatic disk lease mode enabled, but no host ID is set");
        invalid("auto_disk_leases = 1\nhost_id = 0",
                "internal error: Automatic disk lease mode enabled, but no host ID is set");
    }

    @Test
    void badUserOrGroup() {
        invalid("user = \"no-such-user-xyz\"", "invalid argument: Failed to parse user 'no-such-user-xyz'");
        invalid("group = \"+x\"", "invalid argument: Failed to parse group '+x'");
    }
}
