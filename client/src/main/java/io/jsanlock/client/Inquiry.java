package io.jsanlock.client;

import io.jsanlock.wire.Resource;

import java.util.List;

/**
 * The leases a registered process holds, as INQUIRE reports them: the count the daemon
 * sent, the raw state string ({@code ""} when none) and the leases parsed from it
 * (python's and libvirt's view: names, disks, and lver or SHARED).
 */
public record Inquiry(int count, String state, List<Resource> leases) {
    public Inquiry {
        leases = List.copyOf(leases);
    }
}
