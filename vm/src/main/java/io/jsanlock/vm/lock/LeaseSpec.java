package io.jsanlock.vm.lock;

/**
 * One sanlock resource lease a domain asks for: {@code lockspace:name:path:offset}, exclusive
 * or shared (automatic leases of shareable disks).
 */
public record LeaseSpec(String lockspace, String name, String path, long offset, boolean shared) {
    /** sanlock's resource string notation, e.g. {@code libvirt:test1:/dev/mapper/raw:1048576}. */
    @Override
    public String toString() {
        return lockspace + ":" + name + ":" + path + ":" + offset + (shared ? ":SH" : "");
    }
}
