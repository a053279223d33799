/**
 * sanlock 3.8.5's client socket protocol (docs/wire.md) as pure Java codecs, used
 * in both directions: {@link io.jsanlock.wire.Requests} encodes what clients send and
 * decodes it for the daemon; {@link io.jsanlock.wire.Replies} encodes daemon replies and
 * decodes them for clients. All integers little-endian; strings are opaque bytes carried
 * one char per byte (ISO-8859-1). Every count or length read from the wire is checked
 * against the protocol's limits ({@link io.jsanlock.wire.Limits}) before it sizes a read,
 * and failures are {@link io.jsanlock.wire.WireException}s carrying sanlock codes.
 * {@code io.jsanlock.wire.unix} holds the FFM unix sockets (with SO_PEERCRED).
 *
 * <p>Observed against the reference (tests in client and daemon), where wire.md is
 * silent or could be misread:
 * <ul>
 * <li>python3-sanlock's RELEASE sends resource flags 0 whatever mode the lease was
 * acquired in (SHARED/LVER are not repeated); the CLI's {@code acquire -r …:SH} sends
 * SHARED without LVER. Both byte-for-byte equal to our encoders.</li>
 * <li>REQUEST against a lease that is not held answers 0 and writes nothing, whatever the
 * lver (algorithms.md 3.8); -272 only comes when an owner holds it.</li>
 * <li>WRITE_RESOURCE by the reference leaves uninitialised bytes after the 20 bytes of the
 * request record in sector 1 (seen {@code 63 7f}); everything else of the areas it writes
 * equals ours byte for byte.</li>
 * <li>STATUS of the reference can still list a CLI's connection ({@code p -1
 * add_lockspace}) shortly after the CLI exited, lists a resource being acquired as
 * {@code … p PID ADD}, orders CLIENT records by a slot number that depends on which other
 * connections were open, and has no HOST_STATUS records before its first read of the
 * lockspace. Tests comparing outputs must allow for these timings.</li>
 * <li>The CLI's {@code M} suffix on a LOCKSPACE offset counts raw colons, so an escaped
 * colon in the path shifts it ({@code LS:2:a\:b:2M} gives offset 0).</li>
 * </ul>
 *
 * <p>Null-marked: nothing here is null unless its type says {@code @Nullable} (NullAway checks it at
 * compile time).
 */
@NullMarked
package io.jsanlock.wire;

import org.jspecify.annotations.NullMarked;
