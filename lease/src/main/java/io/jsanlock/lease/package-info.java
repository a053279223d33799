/**
 * sanlock 3.8.5's lease algorithms (spec: algorithms.md), apart from any policy:
 * every class here works over a {@link io.jsanlock.lease.LeaseStorage} and a
 * {@link io.jsanlock.base.MonotonicClock} given by the caller, so each protocol
 * step runs the same against an O_DIRECT device, an in-memory store, a
 * fault-injecting wrapper or a virtual clock.
 *
 * <ul>
 * <li>{@link io.jsanlock.lease.Timeouts}: every duration derived from io_timeout (1.2).</li>
 * <li>{@link io.jsanlock.lease.DeltaLease}: host_id join / renewal / release (2.2–2.5).</li>
 * <li>{@link io.jsanlock.lease.HostTable} and {@link io.jsanlock.lease.AreaScan}: other hosts'
 *     liveness from what they write, judged only on the local clock (2.6).</li>
 * <li>{@link io.jsanlock.lease.PaxosLease}: resource leases — owner liveness wait, ballots,
 *     commit, release, shared mode, convert, requests (3).</li>
 * <li>{@link io.jsanlock.lease.LockspaceMember}: a joined lockspace as the
 *     {@link io.jsanlock.lease.OwnerView} the paxos layer consults.</li>
 * <li>Test doubles (virtual and scaled clocks, a fault-injecting storage, area setup) are in the
 *     {@code testkit} module.</li>
 * </ul>
 *
 * <p>Threads, schedules, local conflicts and fencing notifications belong to the
 * {@code engine} module.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.lease;

import org.jspecify.annotations.NullMarked;
