package io.jsanlock.engine;

import io.jsanlock.lease.PaxosLease;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Engine-internal state of one resource on this host: the paxos token and the
 * local holders (several only in shared mode). Guarded by its own monitor; the
 * engine never holds two resources' monitors at once and never a global lock.
 */
final class HeldResource {
    enum Phase { ACQUIRING, HELD, RELEASING }

    final ResourceKey key;
    final Lockspace ls;
    final String path;
    final long offset;
    Phase phase = Phase.ACQUIRING;
    LeaseMode mode;
    PaxosLease paxos;
    PaxosLease.Token token;
    /** Lost with its lockspace: the token is dropped, no release I/O will happen. */
    boolean lost;
    final Map<Long, Handle> handles = new LinkedHashMap<>();

    record Handle(ResourceLease lease, LeaseHolder holder) {}

    HeldResource(ResourceKey key, Lockspace ls, String path, long offset) {
        this.key = key;
        this.ls = ls;
        this.path = path;
        this.offset = offset;
    }
}
