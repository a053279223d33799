/**
 * The embeddable lease engine: joined lockspaces with their renewal loops ({@link
 * io.jsanlock.engine.Lockspace}), the resource leases held through them ({@link
 * io.jsanlock.engine.ResourceTable}), events, release retries and the storage cache, behind
 * {@link io.jsanlock.engine.LeaseEngine}. Time and scheduling are injected, so tests run the
 * protocol on a manual clock.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.engine;

import org.jspecify.annotations.NullMarked;
