package io.jsanlock.vm.domain;

/**
 * One {@code <disk>} of a domain, reduced to what the lock driver and the guest command
 * line need.
 *
 * @param type      the disk's type attribute (file, block, dir, network, volume, ...)
 * @param device    disk, cdrom, floppy or lun
 * @param source    the source path as written in the XML, or null (network/empty disks)
 * @param target    the target dev name (hda, vda, ...), or null
 * @param format    the driver type (raw, qcow2, ...), or null
 * @param readonly  {@code <readonly/>} present
 * @param shareable {@code <shareable/>} present
 */
public record Disk(String type, String device, String source, String target, String format,
        boolean readonly, boolean shareable) {

    /** True when the disk has a local path (file, block or dir) that a lease can protect. */
    public boolean hasLocalPath() {
        return source != null && !source.isEmpty()
                && ("file".equals(type) || "block".equals(type) || "dir".equals(type) || "volume".equals(type));
    }
}
