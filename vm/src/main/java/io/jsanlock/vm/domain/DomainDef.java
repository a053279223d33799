package io.jsanlock.vm.domain;

import java.util.List;

/**
 * A parsed domain definition: what jvirsh needs from the domain XML, plus the XML itself
 * (with the uuid filled in) for dumpxml and persistence.
 *
 * @param type          the domain type (kvm, qemu, ...)
 * @param name          the domain name
 * @param uuid          the uuid, lowercase with dashes
 * @param memoryKiB     memory in KiB
 * @param vcpus         number of vCPUs
 * @param emulator      the {@code <emulator>} program, or null
 * @param disks         the disks in document order
 * @param leases        the manual leases in document order
 * @param onLockFailure the lock failure action
 * @param extraArgs     arguments from {@code <qemu:commandline>} (libvirt's pass-through), appended to
 *                      the guest command line
 * @param xml           the definition as XML text
 */
public record DomainDef(String type, String name, String uuid, long memoryKiB, int vcpus, String emulator,
        List<Disk> disks, List<Lease> leases, LockFailureAction onLockFailure, List<String> extraArgs, String xml) {
}
