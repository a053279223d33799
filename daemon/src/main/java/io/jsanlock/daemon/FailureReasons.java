package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Limits;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hands the daemon's reason for a failed request to a client that asks for it
 * (docs/explain.md). sanlock's protocol carries only a result code; jsanlock's lease
 * engine knows why ("lockspace LS is not joined"). {@code bin/jsanlock client …} with
 * {@code JSANLOCK_EXPLAIN=1} asks with {@link #COMMAND}, a command number sanlock 3.8.5
 * does not have: the reference daemon ignores such a header (wire.md 1.6), so nobody
 * sends it unless asked and nothing of sanlock's protocol changes.
 *
 * <p>Request: a 32-byte header with {@code cmd = COMMAND}, {@code data} = the command
 * number of the failed request and {@code data2} = the result it got. Reply: a header
 * with the same cmd, {@code data} 0 and {@code length} 32 + n, then n bytes of UTF-8
 * reason; {@code data} -2 and no body when the daemon has no reason for that failure.
 *
 * <p>Reasons are the messages of the {@link SanlockException}s a request is answered with
 * ({@link Request#failure}: a failure the daemon logs and answers otherwise, such as a
 * failed undo, is not one), kept per client process (the peer pid of the connection, since the CLI asks on a new
 * connection), for that process's last failure only, for at most {@link #MAX_PROCESSES}
 * processes. A reason is given out once and only for the command and result it was
 * recorded with, so a stale reason never explains a newer failure.
 */
public final class FailureReasons {
    /** jsanlock's EXPLAIN command number ("JS"); not a sanlock command. */
    public static final int COMMAND = 0x4A53;
    static final int MAX_PROCESSES = 256;

    private record Reason(int cmd, int result, String text) {
    }

    private final Map<Integer, Reason> byPid = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Reason> eldest) {
            return size() > MAX_PROCESSES;
        }
    };

    /** Keeps {@code e}'s message as the reason for request {@code cmd} of the process on connection {@code c}. */
    void record(Client c, int cmd, SanlockException e) {
        if (c.socket == null || e.getMessage() == null || e.getMessage().isEmpty()) {
            return;
        }
        try {
            int pid = c.socket.peerCredentials().pid();
            synchronized (byPid) {
                byPid.put(pid, new Reason(cmd, e.code(), e.getMessage()));
            }
        } catch (IOException | RuntimeException ignored) {
            // no peer pid: the reason is lost, the request's result is unchanged
        }
    }

    /**
     * Called for every request header before the daemon serves it: answers an EXPLAIN
     * request (true: nothing else to do).
     */
    boolean answer(Client c, Header h) throws IOException {
        if (h.magic() != Header.MAGIC || h.cmd() != COMMAND || c.socket == null) {
            return false;
        }
        Reason r;
        int pid = c.socket.peerCredentials().pid();
        synchronized (byPid) {
            r = byPid.get(pid);
            if (r != null && r.cmd() == h.data() && r.result() == h.data2()) {
                byPid.remove(pid);
            } else {
                r = null;
            }
        }
        byte[] text = r == null ? new byte[0] : r.text().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + text.length).order(ByteOrder.LITTLE_ENDIAN);
        new Header(Header.MAGIC, Limits.PROTOCOL_VERSION, COMMAND, 0, Header.SIZE + text.length, h.seq(), r == null ? -2 : 0, 0)
                .encode(b);
        b.put(text).flip();
        c.socket.writeFully(b);
        return true;
    }
}
