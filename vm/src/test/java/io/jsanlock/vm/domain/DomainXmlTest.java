package io.jsanlock.vm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.vm.VirError;

import java.util.List;

import org.junit.jupiter.api.Test;

class DomainXmlTest {
    static final String SCENARIO = """
            <domain type='kvm'> <name>test4_sanlock</name> <memory>262144</memory> <vcpu>1</vcpu> <os> <type arch='x86_64' machine='pc'>hvm</type> <boot dev='hd'/> </os> <devices> <disk type='file' device='disk'> <driver name='qemu' type='qcow2'/> <source file='/dev/storage/test4_sanlock'/> <target dev='hda' bus='ide'/> </disk> <lease> <lockspace>libvirt</lockspace> <key>test1</key> <target path='/dev/mapper/raw' offset='1048576'/> </lease> <input type='tablet' bus='usb'/> <input type='mouse' bus='ps2'/> <graphics type='vnc' port='-1' listen = '0.0.0.0' autoport='yes' keymap='en-us'/> </devices> </domain>
            """;

    @Test
    void parsesTheScenariosDomain() throws VirError {
        DomainDef d = DomainXml.parse(SCENARIO);
        assertThat(d.type()).isEqualTo("kvm");
        assertThat(d.name()).isEqualTo("test4_sanlock");
        assertThat(d.memoryKiB()).isEqualTo(262144);
        assertThat(d.vcpus()).isEqualTo(1);
        assertThat(d.emulator()).isNull();
        assertThat(d.disks()).containsExactly(
                new Disk("file", "disk", "/dev/storage/test4_sanlock", "hda", "qcow2", false, false));
        assertThat(d.leases()).containsExactly(new Lease("libvirt", "test1", "/dev/mapper/raw", 1048576));
        assertThat(d.onLockFailure()).isEqualTo(LockFailureAction.DEFAULT);
        // a uuid is generated at define time and written into the XML
        assertThat(d.uuid()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(d.xml()).contains("<uuid>" + d.uuid() + "</uuid>");
        DomainDef again = DomainXml.parse(d.xml());
        assertThat(again.uuid()).isEqualTo(d.uuid());
        assertThat(again.leases()).isEqualTo(d.leases());
    }

    @Test
    void disksReadonlyShareableAndTypes() throws VirError {
        DomainDef d = DomainXml.parse("""
                <domain type='qemu'><name>x</name><uuid>C7A5FDBD-CDAF-9455-926A-D65C16DB1809</uuid>
                <memory unit='MiB'>512</memory><vcpu>2</vcpu>
                <on_lockfailure>poweroff</on_lockfailure>
                <devices><emulator>/bin/sleep</emulator>
                 <disk type='block' device='disk'><source dev='/dev/sdb'/><target dev='vda'/><shareable/></disk>
                 <disk type='file' device='cdrom'><source file='/iso/a.iso'/><target dev='hdc'/><readonly/></disk>
                 <disk type='network' device='disk'><source protocol='rbd' name='pool/img'/><target dev='vdb'/></disk>
                 <disk type='file' device='cdrom'><target dev='hdd'/><readonly/></disk>
                </devices></domain>
                """);
        assertThat(d.uuid()).isEqualTo("c7a5fdbd-cdaf-9455-926a-d65c16db1809");
        assertThat(d.memoryKiB()).isEqualTo(512 * 1024);
        assertThat(d.vcpus()).isEqualTo(2);
        assertThat(d.emulator()).isEqualTo("/bin/sleep");
        assertThat(d.onLockFailure()).isEqualTo(LockFailureAction.POWEROFF);
        assertThat(d.disks()).extracting(Disk::hasLocalPath).containsExactly(true, true, false, false);
        assertThat(d.disks().get(0).shareable()).isTrue();
        assertThat(d.disks().get(1).readonly()).isTrue();
        assertThat(d.disks().get(0).source()).isEqualTo("/dev/sdb");
    }

    @Test
    void commandlinePassThrough() throws VirError {
        DomainDef d = DomainXml.parse("""
                <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>x</name>
                <memory>1024</memory><qemu:commandline><qemu:arg value='60'/><qemu:arg value='-x'/></qemu:commandline>
                </domain>""");
        assertThat(d.extraArgs()).containsExactly("60", "-x");
    }

    static void invalid(String xml, String message) {
        assertThatThrownBy(() -> DomainXml.parse(xml)).isInstanceOf(VirError.class).hasMessage(message);
    }

    static String withLease(String lease) {
        return "<domain type='kvm'><name>x</name><memory>1024</memory><devices>" + lease + "</devices></domain>";
    }

    @Test
    void leaseErrorsUseLibvirtsMessages() {
        invalid(withLease("<lease><key>k</key><target path='/p'/></lease>"),
                "XML error: Missing 'lockspace' element for lease");
        invalid(withLease("<lease><lockspace> </lockspace><key>k</key><target path='/p'/></lease>"),
                "XML error: Missing 'lockspace' element for lease");
        invalid(withLease("<lease><lockspace>ls</lockspace><target path='/p'/></lease>"),
                "XML error: Missing 'key' element for lease");
        invalid(withLease("<lease><lockspace>ls</lockspace><key>k</key></lease>"),
                "XML error: Missing 'target' element for lease");
        invalid(withLease("<lease><lockspace>ls</lockspace><key>k</key><target offset='0'/></lease>"),
                "XML error: Missing 'path' attribute to 'target' element for lease");
        invalid(withLease("<lease><lockspace>ls</lockspace><key>k</key><target path='/p' offset='-1'/></lease>"),
                "XML error: Invalid value for attribute 'offset' in element 'target': '-1'. Expected non-negative integer value");
        invalid(withLease("<lease><lockspace>ls</lockspace><key>k</key><target path='/p' offset='1M'/></lease>"),
                "XML error: Invalid value for attribute 'offset' in element 'target': '1M'. Expected non-negative integer value");
    }

    @Test
    void leaseOffsetDefaultsToZero() throws VirError {
        DomainDef d = DomainXml.parse(withLease("<lease><lockspace>ls</lockspace><key>k</key><target path='/p'/></lease>"));
        assertThat(d.leases()).containsExactly(new Lease("ls", "k", "/p", 0));
    }

    @Test
    void domainErrors() {
        invalid("<domain type='kvm'><name>x</name>", "XML error: (domain_definition):1: XML document structures must start and end within the same entity.");
        invalid("<vm type='kvm'/>", "XML error: unexpected root element <vm>, expecting <domain>");
        invalid("<domain><name>x</name><memory>1</memory></domain>",
                "XML error: Missing required attribute 'type' in element 'domain'");
        invalid("<domain type='bogus'><name>x</name><memory>1</memory></domain>",
                "XML error: Invalid value for attribute 'type' in element 'domain': 'bogus'.");
        invalid("<domain type='kvm'><memory>1</memory></domain>", "missing name information");
        invalid("<domain type='kvm'><name>x</name></domain>",
                "XML error: Memory size must be specified via <memory> or in the <numa> configuration");
        invalid("<domain type='kvm'><name>x</name><uuid>nope</uuid><memory>1</memory></domain>",
                "internal error: malformed uuid element");
        invalid("<domain type='kvm'><name>x</name><memory>1</memory><on_lockfailure>reboot</on_lockfailure></domain>",
                "unsupported configuration: unknown on_lockfailure action: reboot");
        invalid("<domain type='kvm'><name>x</name><memory>1</memory><vcpu>many</vcpu></domain>",
                "XML error: maximum vcpus count must be an integer");
    }

    @Test
    void everyLockFailureActionIsAccepted() throws VirError {
        for (String a : List.of("default", "poweroff", "restart", "pause", "ignore")) {
            DomainDef d = DomainXml.parse("<domain type='kvm'><name>x</name><memory>1</memory><on_lockfailure>" + a
                    + "</on_lockfailure></domain>");
            assertThat(d.onLockFailure().xmlName()).isEqualTo(a);
        }
    }
}
