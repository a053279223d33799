package io.jsanlock.dist.vm;

/** The domain the lock-failure tests run: a /bin/sleep guest holding one lease, {@code on_lockfailure} poweroff. */
final class GuardedDomain {
    private GuardedDomain() {
    }

    /** The domain XML with its lease on {@code leasePath} at 1 MiB. */
    static String xml(String leasePath) {
        return """
                <domain type='kvm'>
                  <name>guarded</name>
                  <uuid>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</uuid>
                  <memory>65536</memory>
                  <on_lockfailure>poweroff</on_lockfailure>
                  <devices>
                    <emulator>/bin/sleep</emulator>
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
                """.formatted(leasePath);
    }
}
