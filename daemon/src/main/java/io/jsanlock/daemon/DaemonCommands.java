package io.jsanlock.daemon;

import static io.jsanlock.daemon.CommandHandler.keepOpen;

import io.jsanlock.base.SanlockError;
import io.jsanlock.daemon.CommandHandler.Handler;
import io.jsanlock.daemon.CommandHandler.Outcome;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Limits;
import io.jsanlock.wire.Replies;

import java.io.IOException;
import java.util.Map;

/** The commands about the connection and the daemon itself: REGISTER, RESTRICT, VERSION, SHUTDOWN, SHUTDOWN_WAIT. */
final class DaemonCommands {
    private final Daemon d;

    DaemonCommands(Daemon d) {
        this.d = d;
    }

    void addTo(Map<Command, Handler> t) {
        t.put(Command.REGISTER, this::register);
        t.put(Command.RESTRICT, this::restrict);
        t.put(Command.VERSION, r -> {
            r.reply(Replies.version(r.header, Limits.DAEMON_VERSION));
            return Outcome.KEEP;
        });
        t.put(Command.SHUTDOWN, this::shutdown);
        t.put(Command.SHUTDOWN_WAIT, this::shutdownWait);
    }

    private Outcome register(Request r) {
        Client c = r.client;
        int pid;
        try {
            pid = c.socket.peerCredentials().pid();
        } catch (IOException e) {
            // wire.md 1.3: not honoured, connection closed without a reply
            d.log.error("ci " + c.ci + " register: SO_PEERCRED failed: " + e.getMessage());
            c.registrationFailed();
            return Outcome.CLOSE;
        }
        int dropped = c.register(pid);
        if (dropped > 0) {
            // The reference drops the old token table without releasing; the leases stay held
            // until the daemon exits. We keep that behaviour (clients depend on nothing else) and say so.
            d.log.error("ci " + c.ci + " register again with " + dropped + " leases held; they stay held");
        }
        d.log.info("cmd_register ci " + c.ci + " fd " + c.fd() + " pid " + pid);
        return Outcome.KEEP;
    }

    private Outcome restrict(Request r) throws IOException {
        Client c = r.client;
        c.restrict(r.flags());
        d.log.info("cmd_restrict ci " + c.ci + " fd " + c.fd() + " pid " + c.pid() + " flags " + Integer.toHexString(r.flags()));
        r.replyResult(0);
        return Outcome.KEEP;
    }

    private Outcome shutdown(Request r) {
        if (r.header.data() != 0) { // force
            Thread.ofVirtual().start(d::shutdown);
        } else {
            d.externalShutdown();
        }
        return Outcome.CLOSE;
    }

    private Outcome shutdownWait(Request r) throws IOException {
        boolean force = r.header.data() != 0;
        if (!force && !d.backend.lockspaces().isEmpty()) {
            r.replyResult(SanlockError.EBUSY.code());
            return Outcome.KEEP;
        }
        d.onExit(() -> r.replyQuietly(Replies.shutdownWaitDone()));
        Thread.ofVirtual().start(d::shutdown);
        // The connection now belongs to the shutdown, which replies on it and then closes it:
        // its serve loop, seeing the daemon stopping, must not close it first (it did, when
        // the command ran on a command thread and the shutdown got ahead of the loop).
        return Outcome.AWAITING_EXIT;
    }
}
