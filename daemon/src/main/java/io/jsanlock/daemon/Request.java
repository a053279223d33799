package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.WireException;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One command being served: the connection it came on, its header, and for a
 * registered-class command the client it acts for ({@link #target}). Handlers read the
 * body from {@link #body()} and answer through {@link #reply}.
 *
 * <p>A registered-class command ends — its target takes its next command, and a target
 * that died meanwhile has its leases released — before its reply goes out, as in sanlock
 * 3.8.5: a client that sends its next command the moment it has the reply (release by pid,
 * then acquire on the registered fd) must not find the target still busy (-16). So
 * {@link #reply} ends it first; the dispatcher ends it too when a handler fails.
 */
final class Request {
    final Daemon daemon;
    final Client client;
    final Header header;
    /** The registered client a registered-class command acts for (the connection's own, or the one of pid data2); else null. */
    final Client target;
    private boolean ended;

    Request(Daemon daemon, Client client, Header header, Client target) {
        this.daemon = daemon;
        this.client = client;
        this.header = header;
        this.target = target;
    }

    BodyReader body() {
        return client.in;
    }

    /** The request's command flags. */
    int flags() {
        return header.cmdFlags();
    }

    boolean flag(int bit) {
        return (header.cmdFlags() & bit) != 0;
    }

    /** Ends the command for its target (once; nothing for other commands). */
    void end() {
        if (target == null || ended) {
            return;
        }
        ended = true;
        if (target.endCommand()) {
            daemon.releaseAllOf(target, "client exit (deferred)");
        }
    }

    void reply(ByteBuffer b) throws IOException {
        end();
        client.socket.writeFully(b);
    }

    void replyResult(int result) throws IOException {
        reply(Replies.result(header, result));
    }

    /** The reply of an inline command: the request's header with result {@code data} (data2 and flags kept). */
    void replyInline(int result) throws IOException {
        reply(header.inlineReply(result).toBuffer());
    }

    /** A reply the client may no longer be there to read. */
    void replyQuietly(ByteBuffer b) {
        try {
            reply(b);
        } catch (IOException e) {
            // the client went away
        }
    }

    /** A decode failure: reply its code and drain what is left of the request (wire.md 1.4). */
    void reject(WireException e) throws IOException {
        daemon.log.warn("ci " + client.ci + " " + header.command() + " rejected " + e.code() + ": " + e.getMessage());
        replyResult(e.code());
        drain(client.socket, (header.length() & 0xFFFFFFFFL) - Header.SIZE - client.in.consumed());
    }

    /** Refuses the command before reading its body: reply {@code result} and drain the whole body. */
    void refuse(int result) throws IOException {
        replyResult(result);
        drain(client.socket, (header.length() & 0xFFFFFFFFL) - Header.SIZE);
    }

    /** Reads and drops up to {@code n} bytes, giving up after ~20 ms without data (as the reference). */
    static void drain(UnixSocket s, long n) throws IOException {
        byte[] b = new byte[64];
        while (n > 0) {
            int r = s.readSome(b, 0, (int) Math.min(64, n), System.nanoTime() + 20_000_000L);
            if (r <= 0) {
                return;
            }
            n -= r;
        }
    }

    /** A backend step whose only answer is success or a sanlock code. */
    @FunctionalInterface
    interface Op {
        void run() throws SanlockException;
    }

    /**
     * A failure this request is answered with: its code. Its message is kept as the reason a
     * client may ask for (EXPLAIN, {@link FailureReasons}).
     */
    int failure(SanlockException e) {
        daemon.failureReasons.record(client, header.cmd(), e);
        return e.code();
    }

    /** Runs {@code op} for this request: 0, or the code it failed with (its reason kept, {@link #failure}). */
    int outcome(Op op) {
        try {
            op.run();
            return 0;
        } catch (SanlockException e) {
            return failure(e);
        }
    }

    /** Runs {@code op} outside any request (a removal's later steps): 0, or the code it failed with. */
    static int result(Op op) {
        try {
            op.run();
            return 0;
        } catch (SanlockException e) {
            return e.code();
        }
    }
}
