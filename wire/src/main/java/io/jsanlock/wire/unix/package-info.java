/**
 * Unix-domain sockets for sanlock's wire protocol: the JDK's {@code SocketChannel} for one-request
 * commands, an FFM socket where the peer's credentials or descriptor passing are needed.
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.wire.unix;

import org.jspecify.annotations.NullMarked;
