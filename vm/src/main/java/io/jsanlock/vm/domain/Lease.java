package io.jsanlock.vm.domain;

/** A manual {@code <lease>}: a sanlock resource held for the whole VM (vm-leases.md §3.1). */
public record Lease(String lockspace, String key, String path, long offset) {
}
