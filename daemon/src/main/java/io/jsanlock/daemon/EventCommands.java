package io.jsanlock.daemon;

import static io.jsanlock.daemon.CommandHandler.keepOpen;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.CommandHandler.Handler;
import io.jsanlock.daemon.CommandHandler.Outcome;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Limits;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.WireException;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * The event commands: REG_EVENT turns its connection into an event channel of a lockspace,
 * END_EVENT drops channels, SET_EVENT sends an event to other hosts through the lockspace.
 */
final class EventCommands {
    /** ENOCSI: the lockspace has its maximum of event channels. */
    private static final int TOO_MANY_CHANNELS = -50;

    private final Daemon d;

    EventCommands(Daemon d) {
        this.d = d;
    }

    void addTo(Map<Command, Handler> t) {
        t.put(Command.REG_EVENT, this::register);
        t.put(Command.END_EVENT, this::end);
        t.put(Command.SET_EVENT, keepOpen(this::set));
    }

    private Outcome register(Request r) throws IOException, WireException {
        Requests.LockspaceEvent le = Requests.readLockspaceEvent(r.body());
        String name = le.lockspace().name();
        int result = 0;
        if (name.isEmpty()) {
            result = SanlockError.EINVAL.code();
        } else {
            try {
                d.backend.checkEventLockspace(name);
                List<UnixSocket> chans = d.eventChannels.get(name);
                if (chans != null && chans.size() >= Limits.MAX_EVENT_FDS) {
                    result = TOO_MANY_CHANNELS;
                }
            } catch (SanlockException e) {
                result = r.failure(e);
            }
        }
        r.replyInline(result);
        if (result != 0) {
            return Outcome.CLOSE;
        }
        d.registerEventChannel(name, r.client.socket);
        d.observer.eventChannel(name, r.client.socket, r.flags()); // jsanlock's renewal events
        r.client.becameEventChannel();
        d.clients.remove(r.client);
        return Outcome.EVENT_CHANNEL;
    }

    private Outcome end(Request r) throws IOException, WireException {
        Lockspace ls = Requests.readLockspace(r.body());
        int result = 0;
        if (ls.name().isEmpty()) {
            result = SanlockError.EINVAL.code();
        } else {
            try {
                d.backend.checkEventLockspace(ls.name());
                endChannels(ls.name());
            } catch (SanlockException e) {
                result = r.failure(e);
            }
        }
        r.replyInline(result);
        return Outcome.CLOSE;
    }

    /** END_EVENT: drop the lockspace's channels whose client wrote the value 1, closed, or failed. */
    private void endChannels(String lockspace) {
        List<UnixSocket> chans = d.eventChannels.get(lockspace);
        if (chans == null) {
            return;
        }
        for (UnixSocket s : chans) {
            byte[] b = new byte[4];
            boolean drop;
            try {
                int n = s.readSome(b, 0, 4, System.nanoTime());
                drop = n < 0 || (n == 4 && ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() == 1) || n > 0;
            } catch (IOException e) {
                drop = true;
            }
            if (drop) {
                chans.remove(s);
                s.close();
            }
        }
    }

    private void set(Request r) throws IOException, WireException {
        Requests.LockspaceEvent le = Requests.readLockspaceEvent(r.body());
        int result;
        if (le.lockspace().name().isEmpty() || le.event().hostId() == 0 && !r.flag(CommandFlags.SETEV_ALL_HOSTS)
                || le.event().hostId() > Limits.MAX_HOSTS) {
            result = SanlockError.EINVAL.code();
        } else {
            result = r.outcome(() -> d.backend.setEvent(le.lockspace().name(), le.event(), r.flags()));
        }
        r.replyResult(result);
    }
}
