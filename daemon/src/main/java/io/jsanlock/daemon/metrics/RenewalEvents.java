package io.jsanlock.daemon.metrics;

import io.jsanlock.engine.RenewalRecord;
import io.jsanlock.lease.Timeouts;
import io.jsanlock.wire.EventCallback;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.JsanlockEvents;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;

/**
 * Delivers jsanlock's {@link JsanlockEvents#RENEWAL_SLOW} events to the REG_EVENT channels that
 * asked for them with {@link JsanlockEvents#REG_RENEWAL_EVENTS}, and to no other: see
 * {@link JsanlockEvents} for why an ordinary channel must never get them.
 *
 * <p>The channels stay the daemon's ordinary event channels (END_EVENT, shutdown and a full
 * buffer end them there); this class only keeps which of them asked, and forgets one whose send
 * fails. Sends never wait, as the daemon's own event delivery.
 */
public final class RenewalEvents implements RenewalHeadroom.Listener, DaemonObserver {
    private final Map<String, List<UnixSocket>> channels = new ConcurrentHashMap<>();
    private final RenewalHeadroom headroom;
    private volatile ToLongFunction<String> generation = name -> 0;

    public RenewalEvents(RenewalHeadroom headroom) {
        this.headroom = headroom;
        headroom.addListener(this);
    }

    /** Where this host's generation in a lockspace is read from (the engine, once it runs). */
    public void generationFrom(ToLongFunction<String> g) {
        generation = g;
    }

    /** A REG_EVENT channel was registered with {@code cmdFlags}: kept when it asked for renewal events. */
    @Override
    public void eventChannel(String lockspace, UnixSocket channel, int cmdFlags) {
        if ((cmdFlags & JsanlockEvents.REG_RENEWAL_EVENTS) != 0) {
            channels.computeIfAbsent(lockspace, k -> new CopyOnWriteArrayList<>()).add(channel);
        }
    }

    @Override
    public void renewed(String lockspace, Timeouts timeouts, RenewalRecord record, boolean slow) {
        List<UnixSocket> to = channels.get(lockspace);
        if (!slow || to == null || to.isEmpty()) {
            return;
        }
        RenewalHeadroom.Lockspace ls = headroom.lockspace(lockspace).orElse(null);
        if (ls == null) {
            return;
        }
        long gen = generation.applyAsLong(lockspace);
        int percent = (int) Math.round(Math.max(ls.readFraction(), ls.writeFraction()) * 100);
        HostEvent ev = new HostEvent(ls.hostId(), gen, JsanlockEvents.RENEWAL_SLOW,
                JsanlockEvents.slowData(ls.headroomSeconds(headroom.now()), percent));
        ByteBuffer b = ByteBuffer.allocate(EventCallback.SIZE);
        new EventCallback(ev, ls.hostId(), gen).encode(b);
        b.flip();
        for (UnixSocket s : to) {
            try {
                switch (s.trySend(b.duplicate())) {
                    case SENT, WOULD_BLOCK -> { } // not reading: this one is dropped, as the daemon drops events
                    case PARTIAL -> {
                        // half a record would desynchronise the stream: closed, as the daemon closes it
                        to.remove(s);
                        s.close();
                    }
                }
            } catch (IOException e) {
                to.remove(s);
            }
        }
    }
}
