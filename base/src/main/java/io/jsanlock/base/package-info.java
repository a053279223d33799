/**
 * What every module shares: sanlock's error codes, byte strings, the monotonic clock and the scheduler.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.base;

import org.jspecify.annotations.NullMarked;
