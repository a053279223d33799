package io.jsanlock.vm.state;

import io.jsanlock.vm.guest.GuestProcess;

/**
 * A live domain's runtime record: its id, its guest process, and whether it is paused
 * (guest stopped, leases released).
 */
public record DomainStatus(int id, GuestProcess guest, boolean paused) {
}
