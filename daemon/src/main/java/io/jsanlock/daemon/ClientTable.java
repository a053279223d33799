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
            if (c != null && !c.internal) {
                synchronized (c) {
                    if (c.registered && c.pid == pid) {
                        return c;
                    }
                }
            }
        }
        return null;
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
