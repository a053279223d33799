package io.jsanlock.client;

import io.jsanlock.wire.unix.UnixServerSocket;
import io.jsanlock.wire.unix.UnixSocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A unix-socket proxy put between a real client (the sanlock CLI, python3-sanlock) and a
 * daemon, recording what the client sends on each connection, so tests can compare the
 * reference client's exact bytes with our encoders.
 */
final class RecordingProxy implements AutoCloseable {
    final Path runDir;
    private final Path upstream;
    private final UnixServerSocket server;
    private final List<ByteArrayOutputStream> sent = new ArrayList<>();
    private final Thread acceptor;

    RecordingProxy(Path runDir, Path upstreamSocket) throws IOException {
        this.runDir = runDir;
        this.upstream = upstreamSocket;
        Files.createDirectories(runDir);
        server = UnixServerSocket.bind(runDir.resolve("sanlock.sock"), 16);
        acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    private void acceptLoop() {
        try {
            while (true) {
                UnixSocket c = server.accept();
                UnixSocket u = UnixSocket.connect(upstream);
                ByteArrayOutputStream rec = new ByteArrayOutputStream();
                synchronized (sent) {
                    sent.add(rec);
                }
                Thread.ofVirtual().start(() -> pump(c, u, rec));
                Thread.ofVirtual().start(() -> pump(u, c, null));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void pump(UnixSocket from, UnixSocket to, ByteArrayOutputStream rec) {
        byte[] b = new byte[65536];
        try {
            while (true) {
                int n = from.readSome(b, 0, b.length, 0);
                if (n < 0) {
                    break;
                }
                if (rec != null) {
                    synchronized (rec) {
                        rec.write(b, 0, n);
                    }
                }
                to.writeFully(ByteBuffer.wrap(b, 0, n));
            }
        } catch (IOException e) {
            // the other side went away
        } finally {
            to.shutdown();
            from.close();
            to.close();
        }
    }

    /** What clients sent, one entry per connection in accept order. */
    List<byte[]> connections() {
        synchronized (sent) {
            List<byte[]> out = new ArrayList<>();
            for (ByteArrayOutputStream r : sent) {
                synchronized (r) {
                    out.add(r.toByteArray());
                }
            }
            return out;
        }
    }

    @Override
    public void close() {
        server.close();
        acceptor.interrupt();
    }
}
