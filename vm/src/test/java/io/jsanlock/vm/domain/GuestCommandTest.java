package io.jsanlock.vm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.vm.VirError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestCommandTest {
    static DomainDef def(String emulator, String extra) throws VirError {
        return DomainXml.parse("""
                <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
                  <name>test4_sanlock</name><uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid>
                  <memory>262144</memory><vcpu>2</vcpu>
                  <devices><emulator>%s</emulator>
                    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
                      <source file='/dev/storage/test4_sanlock'/><target dev='hda' bus='ide'/></disk>
                    <disk type='file' device='cdrom'><source file='/iso/a,b.iso'/><target dev='hdc'/><readonly/></disk>
                  </devices>%s
                </domain>""".formatted(emulator, extra));
    }

    @Test
    void anyOtherProgramRunsWithThePassThroughArguments() throws VirError {
        DomainDef d = def("/bin/sleep",
                "<qemu:commandline><qemu:arg value='3600'/></qemu:commandline>");
        assertThat(GuestCommand.build(d)).containsExactly("/bin/sleep", "3600");
    }

    @Test
    void qemuGetsACommandLineBuiltFromTheDefinition(@TempDir Path dir) throws Exception {
        Path qemu = dir.resolve("qemu-system-x86_64");
        Files.writeString(qemu, "#!/bin/sh\n");
        Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwx------"));
        assertThat(GuestCommand.build(def(qemu.toString(), ""))).containsExactly(qemu.toString(),
                "-name", "guest=test4_sanlock", "-enable-kvm", "-m", "256", "-smp", "2",
                "-uuid", "c7a5fdbd-cdaf-9455-926a-d65c16db1809", "-display", "none", "-no-user-config", "-nodefaults",
                "-drive", "file=/dev/storage/test4_sanlock,if=ide,media=disk,format=qcow2,id=drive-0",
                "-drive", "file=/iso/a,,b.iso,if=ide,media=cdrom,readonly=on,id=drive-1");
    }

    @Test
    void missingOrNonExecutableEmulator(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> GuestCommand.build(def("/no/such/qemu", "")))
                .hasMessage("Cannot check QEMU binary /no/such/qemu: No such file or directory");
        Path notExec = Files.writeString(dir.resolve("emu"), "x");
        assertThatThrownBy(() -> GuestCommand.build(def(notExec.toString(), "")))
                .hasMessage("Cannot check QEMU binary " + notExec + ": Permission denied");
    }
}
