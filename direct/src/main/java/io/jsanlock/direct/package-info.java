/**
 * What {@code sanlock direct} does without a daemon: lease areas initialised, read and dumped,
 * the resource index, on any storage.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.direct;

import org.jspecify.annotations.NullMarked;
