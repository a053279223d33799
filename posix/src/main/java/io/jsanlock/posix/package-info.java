/**
 * The libc calls jsanlock needs (open, O_DIRECT I/O, sockets' peer credentials, signals, kill,
 * execve, Linux AIO system calls), bound with FFM in one place.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.posix;

import org.jspecify.annotations.NullMarked;
