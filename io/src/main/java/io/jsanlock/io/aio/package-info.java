/**
 * Linux AIO contexts for O_DIRECT lease I/O submitted from the calling thread.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.io.aio;

import org.jspecify.annotations.NullMarked;
