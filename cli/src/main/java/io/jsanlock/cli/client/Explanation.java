package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.FailureReasons;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Limits;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The explanation of a failed client action, for {@code JSANLOCK_EXPLAIN=1}: what the
 * CLI knows (no daemon, what a result code means) and, when the daemon answered with the
 * failure and is jsanlock's, the daemon's own reason (docs/explain.md).
 *
 * <p>Asking never disturbs the reference: the EXPLAIN request goes on a new connection,
 * followed by a VERSION request. jsanlock's daemon answers EXPLAIN first; the reference
 * ignores the unknown command (wire.md 1.6) and answers only VERSION, which tells the
 * CLI that no reason is to be had, without waiting for a timeout.
 */
final class Explanation {
    /** The message {@code io.jsanlock.client} gives a result code the daemon sent. */
    private static final Pattern DAEMON_RESULT = Pattern.compile("^([a-z_]+) failed: (-?\\d+)");
    private static final long ASK_TIMEOUT_MILLIS = 5000;

    private Explanation() {
    }

    /** The lines to print (without the {@code jsanlock: } prefix). */
    static List<String> of(String action, SanlockException e, String socket) {
        List<String> lines = new ArrayList<>(2);
        String message = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = DAEMON_RESULT.matcher(message);
        if (m.find()) {
            String reason = null;
            Command cmd = command(m.group(1));
            if (cmd != null) {
                reason = ask(socket, cmd.number(), e.code());
            }
            if (reason != null) {
                lines.add(action + ": " + reason);
            } else {
                lines.add(action + " failed: the daemon answered " + e.code() + meaning(e.code()));
            }
            return lines;
        }
        if (message.startsWith("cannot connect to sanlock daemon")) {
            lines.add(action + ": " + noDaemon(socket, e.code()));
            return lines;
        }
        lines.add(action + ": " + message + (message.contains(" (") ? "" : meaning(e.code())));
        return lines;
    }

    private static Command command(String name) {
        try {
            return Command.valueOf(name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String noDaemon(String socket, int code) {
        String where = " (set SANLOCK_RUN_DIR to the run directory of the daemon to use)";
        return switch (code) {
            case -2 -> "no sanlock daemon: " + socket + " does not exist" + where;
            case -111 -> "no sanlock daemon listens on " + socket + where;
            case -13 -> "no permission to connect to " + socket + " (the daemon's socket is for its user and group)";
            default -> "cannot connect to the sanlock daemon at " + socket + ": error " + code + meaning(code);
        };
    }

    /** What a result code means, as " (SYMBOL: text)"; just the symbol when no text is known. */
    static String meaning(int code) {
        SanlockError err = SanlockError.ofCode(code);
        String text = MEANINGS.get(code);
        if (err == null) {
            return text == null ? "" : " (" + text + ")";
        }
        return " (" + err.symbol() + (text == null ? "" : ": " + text) + ")";
    }

    private static final Map<Integer, String> MEANINGS = Map.ofEntries(
            Map.entry(-1, "not permitted, or the request is incomplete"),
            Map.entry(-2, "no such lockspace, resource, file or entry"),
            Map.entry(-3, "no registered process with that pid"),
            Map.entry(-5, "an I/O error on the lease storage"),
            Map.entry(-11, "busy: try again"),
            Map.entry(-13, "permission denied"),
            Map.entry(-16, "busy: in use, or the connection is not a registered lease holder"),
            Map.entry(-17, "already exists (a lockspace already joined, a lease already held)"),
            Map.entry(-19, "no such device: the lease storage path does not exist"),
            Map.entry(-22, "an invalid argument"),
            Map.entry(-28, "no space: at or past the end of the storage, or a table is full"),
            Map.entry(-36, "a name or path is too long"),
            Map.entry(-90, "the storage is too small for the lease area"),
            Map.entry(-95, "not supported"),
            Map.entry(-107, "the daemon closed the connection"),
            Map.entry(-110, "timed out"),
            Map.entry(-115, "in progress"),
            Map.entry(-202, "the lease storage did not answer in time"),
            Map.entry(-210, "a paxos ballot block could not be read"),
            Map.entry(-211, "a paxos ballot block could not be written"),
            Map.entry(-212, "another host wrote a newer lease version"),
            Map.entry(-213, "another host's ballot is higher: it is acquiring the lease"),
            Map.entry(-214, "a ballot block has a bad checksum"),
            Map.entry(-220, "the leader could not be read (storage missing or too short)"),
            Map.entry(-221, "the leader could not be written"),
            Map.entry(-222, "the leaders on the disks differ"),
            Map.entry(-223, "no lease of this kind at that offset (wrong magic): not initialised, or another area"),
            Map.entry(-224, "the lease was written by an incompatible sanlock version"),
            Map.entry(-225, "the sector size on disk differs from the one asked for"),
            Map.entry(-226, "the lease belongs to another lockspace"),
            Map.entry(-227, "the lease belongs to another resource"),
            Map.entry(-228, "the lease's num_hosts is too small for this host id"),
            Map.entry(-229, "the leader has a bad checksum: damaged or not a lease"),
            Map.entry(-230, "the lockspace's sector/align sizes cannot be used"),
            Map.entry(-231, "the host id is outside the lockspace's range"),
            Map.entry(-240, "the lease version is not the one asked for"),
            Map.entry(-241, "the lease's lockspace is not joined on this host"),
            Map.entry(-242, "the owner's host id is not in the lockspace"),
            Map.entry(-243, "the lease is held by another host, which is alive"),
            Map.entry(-244, "the lease is held by another host"),
            Map.entry(-245, "another host acquired the lease at the same time"),
            Map.entry(-246, "shared holders changed: retry"),
            Map.entry(-247, "the lease is held by another host: retry later"),
            Map.entry(-250, "the lease version changed while held"),
            Map.entry(-251, "this host does not own the lease any more"),
            Map.entry(-262, "the host id is held by another live host"),
            Map.entry(-274, "no resource index at that offset (wrong magic)"),
            Map.entry(-276, "the resource index belongs to another lockspace"),
            Map.entry(-277, "the offset is outside the resource index's leases"),
            Map.entry(-278, "the index entry names another offset"));

    /**
     * The daemon's reason for the failure of {@code cmd} with {@code result}, or null when
     * the daemon has none or is the reference (which answers only the VERSION request).
     */
    static String ask(String socketPath, int cmd, int result) {
        // The FFM socket: its connect and reads time out (the channel's do not), and an
        // explanation is only asked for after a failure, where start-up cost does not matter.
        try (UnixSocket s = UnixSocket.connect(io.jsanlock.base.ByteStrings.toBytes(socketPath), ASK_TIMEOUT_MILLIS)) {
            s.setReadTimeoutMillis(ASK_TIMEOUT_MILLIS);
            ByteBuffer req = ByteBuffer.allocate(2 * Header.SIZE);
            new Header(Header.MAGIC, Limits.PROTOCOL_VERSION, FailureReasons.COMMAND, 0, Header.SIZE, 0, cmd, result).encode(req);
            Header.request(Command.VERSION, 0, 0, 0, 0).encode(req);
            s.writeFully(req.flip());
            ByteBuffer hb = s.readOrEof(Header.SIZE);
            if (hb == null) {
                return null;
            }
            Header h = Header.decode(hb);
            if (h.cmd() != FailureReasons.COMMAND || h.data() != 0 || h.length() <= Header.SIZE || h.length() > Header.SIZE + 65536) {
                return null;
            }
            ByteBuffer body = s.readOrEof(h.length() - Header.SIZE);
            if (body == null) {
                return null;
            }
            byte[] b = new byte[body.remaining()];
            body.get(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException | SanlockException | RuntimeException e) {
            return null; // no reason to be had: the CLI explains what it knows
        }
    }
}
