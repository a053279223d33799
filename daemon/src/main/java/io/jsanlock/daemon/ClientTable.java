package io.jsanlock.daemon;

import io.jsanlock.wire.Limits;
import io.jsanlock.wire.unix.UnixSocket;

import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's connection slots (1024, as the reference, including its two internal
 * entries at slots 0 and 1). New connections take the lowest free slot, so `client
 * status` lists clients in slot order like the reference.
 */
final class ClientTable {
    private final Client[] slots = new Client[Limits.MAX_CONNECTIONS];

    ClientTable() {
        slots[0] = new Client(0, null, true, "helper");
        slots[1] = new Client(1, null, true, "listener");
    }

    /** The internal {@code listener} entry (slot 1). */
    Client listener() {
        return slots[1];
    }

    /** A slot for a new connection, or null when all 1024 are in use. */
    synchronized Client add(UnixSocket socket) {
        for (int i = 2; i < slots.length; i++) {
            if (slots[i] == null) {
                slots[i] = new Client(i, socket, false, "");
                return slots[i];
            }
        }
        return null;
    }

    synchronized void remove(Client c) {
        if (slots[c.ci] == c) {
            slots[c.ci] = null;
        }
    }

    /** The first registered, live client with this pid, in slot order (as the reference searches). */
    synchronized Client registeredByPid(int pid) {
        for (Client c : slots) {
            if (c != null && !c.internal && c.registeredAs(pid)) {
                return c;
            }
        }
        return null;
    }

    /**
     * {@link #registeredByPid}, but first lets a connection of that process finish a request
     * it has already sent (up to 1 s): a process that registers and then has another
     * process acquire for it (python's {@code acquire(pid=)}) sends its REGISTER first, and
     * sanlock 3.8.5, reading both connections in one loop, always serves it first. Here each
     * connection has its own thread, so the REGISTER may still be unread or being served.
     */
    Client awaitRegisteredByPid(int pid, Client asking) {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (true) {
            Client c = registeredByPid(pid);
            if (c != null || !requestPendingFrom(pid, asking) || System.nanoTime() - deadline > 0) {
                return c;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /**
     * Whether a connection of process {@code pid}, other than {@code asking}, has a request
     * unread or being served, or has registered meanwhile.
     */
    private boolean requestPendingFrom(int pid, Client asking) {
        for (Client c : all()) {
            if (c.internal || c == asking || c.peerPid != pid) {
                continue;
            }
            switch (c.registrationFor(pid)) {
                case AS_THAT_PID -> {
                    return true; // registered since registeredByPid looked: look again
                }
                case NEVER -> {
                    continue;
                }
                case NOT_YET -> { }
            }
            try {
                // A connection that has served nothing yet counts too: its first request may have
                // been read (no longer pending) without being marked as served yet.
                if (!c.servedAny || c.serving || c.socket.hasPendingInput()) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // closed meanwhile: nothing pending
            }
        }
        return false;
    }

    synchronized List<Client> all() {
        List<Client> out = new ArrayList<>();
        for (Client c : slots) {
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    synchronized int count() {
        int n = 0;
        for (Client c : slots) {
            if (c != null && !c.internal) {
                n++;
            }
        }
        return n;
    }
}
