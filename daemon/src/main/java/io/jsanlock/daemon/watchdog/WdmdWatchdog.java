package io.jsanlock.daemon.watchdog;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The watchdog through a running wdmd, as the reference uses it (algorithms.md 2.8), so a
 * jsanlock daemon and a sanlock daemon on one host share the one wdmd that owns
 * {@code /dev/watchdog}. Each lockspace gets its own connection, named
 * {@code sanlock_<lockspace>:<host_id>}:
 *
 * <ul>
 *   <li>arming (first {@code testLive} with an expiry): connect, REGISTER the name, set the
 *       refcount, ask STATUS and refuse a wdmd whose fire timeout is not
 *       {@link #FIRE_TIMEOUT_SECONDS} (the reference's -203: every host's fencing deadline
 *       assumes W = 60), then TEST_LIVE(renewal, expire);
 *   <li>every later renewal: TEST_LIVE(last_success, last_success + 8N) on that connection;
 *   <li>disarming: TEST_LIVE(0, 0) (retried once after 0.5 s, as the reference does), clear
 *       the refcount, close.
 * </ul>
 *
 * Why the refcount matters: a connection closed with its refcount set — this daemon died
 * with a lockspace still armed — makes wdmd stop petting, so the host is reset even though
 * nobody is left to let a connection expire. That is why {@link #close()} leaves armed
 * connections alone: the process exit closes them uncleanly, which is the point.
 *
 * <p>Exchanges are blocking and unbounded, as the reference's are: wdmd is a local daemon,
 * and a wdmd that hangs stops petting the device anyway, so waiting on it cannot make the
 * host less safe.
 */
public final class WdmdWatchdog implements Watchdog {
    public static final Path DEFAULT_SOCKET = Path.of("/run/wdmd/wdmd.sock");

    private final Path socket;
    private final Consumer<String> log;
    /** The wait before a disarm is retried. */
    private final Sleeper sleeper;
    private final Map<String, SocketChannel> connections = new HashMap<>();

    public WdmdWatchdog(Path socket, Consumer<String> log) {
        this(socket, log, Sleeper.SYSTEM);
    }

    public WdmdWatchdog(Path socket, Consumer<String> log, Sleeper sleeper) {
        this.socket = socket;
        this.log = log;
        this.sleeper = sleeper;
    }

    public Path socket() {
        return socket;
    }

    /** Whether a wdmd answers on {@code socket} (used to choose between wdmd and the device). */
    public static boolean running(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Connects, asks STATUS and checks the fire timeout, as the reference does before a join. */
    @Override
    public boolean available() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return fireTimeoutAccepted(status(ch));
        } catch (IOException e) {
            log.accept("wdmd connect " + socket + " failed: " + e.getMessage());
            return false;
        }
    }

    @Override
    public synchronized void testLive(String connection, long renewal, long expire) {
        if (expire == 0) {
            disarm(connection);
            return;
        }
        SocketChannel ch = connections.get(connection);
        try {
            if (ch == null) {
                ch = register(connection);
                if (ch == null) {
                    return;
                }
                connections.put(connection, ch);
                log.accept("wdmd " + connection + " armed renewal " + renewal + " expire " + expire);
            }
            send(ch, WdmdMessage.testLive(renewal, expire));
        } catch (IOException e) {
            // The connection is dropped and made again at the next renewal; until then wdmd
            // holds the last expiry it got (or, if wdmd itself died, nobody pets the device).
            log.accept("wdmd " + connection + " test_live " + renewal + " " + expire + " failed: " + e.getMessage());
            connections.remove(connection);
            closeQuietly(ch);
        }
    }

    private SocketChannel register(String connection) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            send(ch, WdmdMessage.register(connection));
            send(ch, WdmdMessage.command(WdmdMessage.CMD_REFCOUNT_SET));
            WdmdMessage st = status(ch);
            if (!fireTimeoutAccepted(st)) {
                // Not armed: clear the refcount so closing this connection does not reset the host.
                send(ch, WdmdMessage.command(WdmdMessage.CMD_REFCOUNT_CLEAR));
                ch.close();
                return null;
            }
            log.accept("wdmd " + connection + " registered test_interval " + st.testInterval()
                    + " fire_timeout " + st.fireTimeout() + " last_keepalive " + st.lastKeepalive());
            return ch;
        } catch (IOException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private void disarm(String connection) {
        SocketChannel ch = connections.remove(connection);
        if (ch == null) {
            return;
        }
        try {
            try {
                send(ch, WdmdMessage.testLive(0, 0));
            } catch (IOException first) {
                log.accept("wdmd " + connection + " disarm failed, retrying: " + first.getMessage());
                sleeper.sleepNanos(500_000_000L);
                send(ch, WdmdMessage.testLive(0, 0));
            }
            send(ch, WdmdMessage.command(WdmdMessage.CMD_REFCOUNT_CLEAR));
            log.accept("wdmd " + connection + " disarmed");
        } catch (IOException e) {
            log.accept("wdmd " + connection + " disarm failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.accept("wdmd " + connection + " disarm interrupted");
        } finally {
            closeQuietly(ch);
        }
    }

    private boolean fireTimeoutAccepted(WdmdMessage st) {
        if (st.fireTimeout() != FIRE_TIMEOUT_SECONDS) {
            log.accept("wdmd fire_timeout " + st.fireTimeout() + " is not " + FIRE_TIMEOUT_SECONDS + ": watchdog refused");
            return false;
        }
        return true;
    }

    private static WdmdMessage status(SocketChannel ch) throws IOException {
        send(ch, WdmdMessage.command(WdmdMessage.CMD_STATUS));
        ByteBuffer in = ByteBuffer.allocate(WdmdMessage.SIZE);
        while (in.hasRemaining()) {
            if (ch.read(in) < 0) {
                throw new EOFException("wdmd closed the connection before its status reply");
            }
        }
        return WdmdMessage.decode(in.flip());
    }

    private static void send(SocketChannel ch, WdmdMessage m) throws IOException {
        ByteBuffer out = m.encode();
        while (out.hasRemaining()) {
            ch.write(out);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // closing a unix socket we are abandoning; nothing to recover
        }
    }

    /** Leaves armed connections to the process exit (an unclean close resets the host; see above). */
    @Override
    public synchronized void close() {
        if (!connections.isEmpty()) {
            log.accept("wdmd " + connections.keySet() + " still armed at exit: wdmd will stop petting");
        }
    }
}
