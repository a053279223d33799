package io.jsanlock.chaos;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An append-only event log shared by several processes: each line is one write(2) on
 * an O_APPEND file, so lines from different processes never interleave. Times are
 * {@link System#nanoTime()}, which on Linux is CLOCK_MONOTONIC and therefore one
 * clock for every process on this machine.
 *
 * <p>Line: {@code <nanos> <KIND> <host> <lver> <pid> [detail]}.
 */
final class Journal implements AutoCloseable {
    private final FileOutputStream out;

    Journal(Path file) {
        try {
            out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void log(String kind, long host, long lver, long pid, String detail) {
        String line = System.nanoTime() + " " + kind + " " + host + " " + lver + " " + pid
                + (detail == null || detail.isEmpty() ? "" : " " + detail.replace('\n', ' ')) + "\n";
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** One parsed line. */
    record Entry(long nanos, String kind, int host, long lver, long pid, String detail) {
        static Entry parse(String line) {
            String[] f = line.split(" ", 6);
            return new Entry(Long.parseLong(f[0]), f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    f.length > 5 ? f[5] : "");
        }
    }
}
