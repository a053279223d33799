/**
 * The daemon's log: the in-memory ring that {@code client log_dump} prints and where its lines go.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.base.log;

import org.jspecify.annotations.NullMarked;
