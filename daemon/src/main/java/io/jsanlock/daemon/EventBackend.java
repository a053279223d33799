package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.HostEvent;

/** The event role of the {@link LeaseBackend}: events set for other hosts, and those set for us. */
public interface EventBackend {
    void setEvent(String lockspace, HostEvent event, int flags) throws SanlockException;

    /** Checks a lockspace exists for REG_EVENT (-2 otherwise). */
    void checkEventLockspace(String lockspace) throws SanlockException;

    /** Registers the sink the backend calls for events other hosts set for us. */
    void onEvent(EventSink sink);

    /** Receives events to push to REG_EVENT channels. */
    interface EventSink {
        void deliver(String lockspace, io.jsanlock.wire.EventCallback event);
    }
}
