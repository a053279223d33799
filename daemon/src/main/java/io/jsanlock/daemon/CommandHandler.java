package io.jsanlock.daemon;

import io.jsanlock.base.SanlockError;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandClass;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.WireException;

import java.io.EOFException;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * The daemon's table of commands: one {@link Handler} per {@link Command}, grouped as
 * sanlock's {@code cmd.c} groups them — {@link DaemonCommands} (register, restrict,
 * version, shutdown), {@link LockspaceCommands}, {@link LeaseCommands} (the
 * registered-class commands and the lease requests), {@link StorageCommands},
 * {@link StatusCommands}, {@link EventCommands} and {@link IndexCommands}. Each handler
 * reads exactly the body its command defines (never trusting {@code header.length},
 * except for SET_LVB and draining), does the work (mostly through the
 * {@link LeaseBackend}), and writes the reply the reference writes (wire.md 2.2, 4). Bad
 * bodies get the reference's error code as the result.
 *
 * <p>This class only dispatches: it finds the target of a registered-class command (the
 * connection's own registration, or the process of pid {@code data2}) and keeps one
 * command at a time running for it.
 */
final class CommandHandler {
    /**
     * What happens to the connection after a command: kept, closed, handed over as an event
     * channel, or left to the shutdown that will send SHUTDOWN_WAIT's reply on it and close it.
     */
    enum Outcome { KEEP, CLOSE, EVENT_CHANNEL, AWAITING_EXIT }

    /** Serves one command; what happens to the connection afterwards. */
    @FunctionalInterface
    interface Handler {
        Outcome serve(Request r) throws IOException, WireException;
    }

    /** A worker or registered-class command: its connection always stays open. */
    @FunctionalInterface
    interface Replying {
        void serve(Request r) throws IOException, WireException;
    }

    static Handler keepOpen(Replying h) {
        return r -> {
            h.serve(r);
            return Outcome.KEEP;
        };
    }

    private final Daemon d;
    private final Map<Command, Handler> table;

    CommandHandler(Daemon d) {
        this.d = d;
        RindexCommands rindex = new RindexCommands(d.backend, d.log, d.clock);
        EnumMap<Command, Handler> t = new EnumMap<>(Command.class);
        new DaemonCommands(d).addTo(t);
        new LockspaceCommands(d, rindex).addTo(t);
        new LeaseCommands(d).addTo(t);
        new StorageCommands(d.backend).addTo(t);
        new StatusCommands(d).addTo(t);
        new EventCommands(d).addTo(t);
        new IndexCommands(d.log, rindex).addTo(t);
        for (Command c : Command.values()) {
            if (!t.containsKey(c)) {
                throw new IllegalStateException("no handler for " + c);
            }
        }
        this.table = t;
    }

    Outcome handle(Client c, Header h) throws IOException, WireException {
        Command cmd = h.command();
        c.in.reset();
        Handler handler = table.get(cmd);
        try {
            if (cmd.commandClass() != CommandClass.REGISTERED) {
                return handler.serve(new Request(d, c, h, null));
            }
            Request r = registered(c, h, cmd);
            if (r == null) {
                return Outcome.KEEP;
            }
            try {
                return handler.serve(r);
            } finally {
                r.end();
            }
        } catch (EOFException e) {
            // body shorter than the command needs: -107 (the peer is gone, so this usually cannot be delivered)
            d.log.warn("ci " + c.ci + " " + cmd + " body cut short: " + e.getMessage());
            try {
                c.socket.writeFully(Replies.result(h, SanlockError.ENOTCONN.code()));
            } catch (IOException gone) {
                // the client went away
            }
            return Outcome.CLOSE;
        }
    }

    /**
     * The request of a registered-class command with its target begun, or null when it was
     * refused (-16 unregistered or busy, -3 no such process) and answered already.
     */
    private Request registered(Client c, Header h, Command cmd) throws IOException {
        Request asked = new Request(d, c, h, null);
        Client target;
        if (h.data2() == -1) {
            target = c;
            if (!c.registered()) {
                d.log.warn("ci " + c.ci + " " + cmd + " on an unregistered connection");
                asked.refuse(SanlockError.EBUSY.code());
                return null;
            }
        } else {
            target = d.clients.awaitRegisteredByPid(h.data2(), c);
            if (target == null) {
                asked.refuse(SanlockError.ESRCH.code());
                return null;
            }
        }
        if (!target.beginCommand()) {
            asked.refuse(SanlockError.EBUSY.code());
            return null;
        }
        return new Request(d, c, h, target);
    }
}
