/**
 * Lease storage: direct I/O on files and block devices with sanlock's timeouts (a hung I/O is
 * abandoned after io_timeout and reaped later), and the in-memory storage of tests.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.io;

import org.jspecify.annotations.NullMarked;
