package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.io.DirectFileStorage;
import io.jsanlock.lease.Timeouts;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;

import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * jsanlock's {@code -v} on client actions: while a call waits for the daemon, a line on stderr
 * every {@link #TICK_SECONDS} s, and one when the answer came. For add_lockspace also, before it
 * is sent, what the join will wait for and why ({@link #expectJoin}), read from the delta lease on
 * storage as the daemon will read it (algorithms.md 2.2 and 2.3).
 *
 * <p>Lines start with {@code jsanlock: ACTION:} and go to stderr only: stdout stays sanlock's,
 * byte for byte, with or without {@code -v}; without {@code -v} nothing is started at all.
 */
final class Progress implements AutoCloseable {
    static final int TICK_SECONDS = 5;

    private final PrintStream err;
    private final String action;
    private final long start = System.nanoTime();
    private final Thread ticker;

    private Progress(PrintStream err, String action) {
        this.err = err;
        this.action = action;
        this.ticker = Thread.ofVirtual().name("jsanlock-progress").start(this::tick);
    }

    /** A progress reporter for one call, or null (nothing to close) without {@code -v}. */
    static Progress start(ClientActions.Context c) {
        return c.verbose() ? new Progress(c.err(), c.action()) : null;
    }

    private void tick() {
        try {
            for (long n = 1; ; n++) {
                Thread.sleep(TICK_SECONDS * 1000L);
                synchronized (err) {
                    err.println("jsanlock: " + action + ": still waiting for the daemon after " + n * TICK_SECONDS + " s");
                    err.flush();
                }
            }
        } catch (InterruptedException e) {
            // the answer came
        }
    }

    @Override
    public void close() {
        ticker.interrupt();
        try {
            ticker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (err) {
            err.printf("jsanlock: %s: answered after %.1f s%n", action, (System.nanoTime() - start) / 1e9);
            err.flush();
        }
    }

    /**
     * What an add_lockspace of host_id {@code ls.hostId()} with io_timeout {@code ioTimeout} will
     * wait for: 2·Dx after writing the delta lease (Dx: the io_timeout last written in the slot,
     * else ours), and first 8·Dx + W when the slot was last written by another host name.
     */
    static void expectJoin(ClientActions.Context c, Lockspace ls, int ioTimeout) {
        PrintStream err = c.err();
        String prefix = "jsanlock: " + c.action() + ": ";
        Leader slot;
        try {
            slot = readSlot(ls);
        } catch (SanlockException | RuntimeException e) {
            err.println(prefix + "cannot read the delta lease of host_id " + ls.hostId() + " (" + e.getMessage()
                    + "): the join waits at least 2 x io_timeout = " + 2 * ioTimeout + " s");
            err.flush();
            return;
        }
        Timeouts t = Timeouts.of(ioTimeout).forStored(slot.ioTimeout());
        String written = "delta lease of host_id " + ls.hostId() + (slot.timestamp() == 0 ? " is free"
                : " last written by " + quoted(slot.resourceName()) + " generation " + slot.ownerGeneration())
                + " with io_timeout " + t.ioTimeout();
        String ours = daemonHostName(c);
        long wait = t.deltaShortDelaySeconds();
        String why = "2 x io_timeout after writing it, then it is read back";
        if (slot.timestamp() != 0 && ours != null && !cut(ours).equals(slot.resourceName())) {
            wait += t.deltaAcquireHeldWaitSeconds();
            why = "8 x io_timeout + " + t.watchdogSeconds() + " s to be sure that host is dead (this daemon is "
                    + quoted(ours) + "), then " + why;
        } else if (slot.timestamp() != 0 && ours == null) {
            why += "; " + t.deltaAcquireHeldWaitSeconds() + " s more if the daemon's host name is not that one";
        }
        err.println(prefix + "waiting " + wait + " s: " + written + " (" + why + ")");
        err.flush();
    }

    private static String quoted(String name) {
        return "'" + name + "'";
    }

    /** The daemon's host name as a delta lease records it (47 bytes at most). */
    private static String cut(String name) {
        return name.length() > 47 ? name.substring(0, 47) : name;
    }

    /** The daemon's host name (the DAEMON record of status), null when it cannot be had. */
    private static String daemonHostName(ClientActions.Context c) {
        try {
            for (StateRecord r : c.client().status(0)) {
                if (r.type() == StateType.DAEMON) {
                    return r.name();
                }
            }
        } catch (SanlockException e) {
            // the add_lockspace itself will report the daemon's absence
        }
        return null;
    }

    /** Slot {@code hostId} of the lockspace, with the sector size host 1's slot records. */
    private static Leader readSlot(Lockspace ls) throws SanlockException {
        try (DirectFileStorage s = DirectFileStorage.open(ls.disk().path(), DirectFileStorage.Access.READ_ONLY)) {
            ByteBuffer first = ByteBuffer.allocate(Math.max(4096, s.sectorSize()));
            s.readFully(ls.disk().offset(), first, 10_000);
            Geometry g = Geometry.fromLeader(Leader.decodeDeltaChecked(first, 0, ls.name()));
            if (ls.hostId() < 1 || ls.hostId() > g.maxHosts()) {
                throw new SanlockException(io.jsanlock.base.SanlockError.EINVAL, "host_id " + ls.hostId()
                        + " is not 1.." + g.maxHosts());
            }
            ByteBuffer b = ByteBuffer.allocate(Math.max(4096, g.sectorSize()));
            s.readFully(ls.disk().offset() + (ls.hostId() - 1) * g.sectorSize(), b, 10_000);
            return Leader.decode(b, 0);
        }
    }
}
