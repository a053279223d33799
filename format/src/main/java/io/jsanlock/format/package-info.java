/**
 * sanlock 3.8.5's on-disk records (docs/ondisk.md) as pure codecs: every record reads from and writes to
 * bytes, with no I/O.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.format;

import org.jspecify.annotations.NullMarked;
