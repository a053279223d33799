package io.jsanlock.engine;

import org.jspecify.annotations.Nullable;

import io.jsanlock.lease.PaxosLease;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
    @Nullable LeaseMode mode;
    @Nullable PaxosLease paxos;
    PaxosLease.@Nullable Token token;
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

    // Set by the acquire that grants the lease, before any handle is handed out: every use
    // past ACQUIRING (add a handle, convert, release, retry a release) finds them set.

    LeaseMode mode() {
        return Objects.requireNonNull(mode, "a granted lease has its mode");
    }

    PaxosLease paxos() {
        return Objects.requireNonNull(paxos, "a granted lease has its paxos lease");
    }

    PaxosLease.Token token() {
        return Objects.requireNonNull(token, "a granted lease has its token");
    }
}
