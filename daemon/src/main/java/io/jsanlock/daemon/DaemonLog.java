package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The daemon's log: every line goes into a bounded in-memory ring (newest 1 MiB, what
 * LOG_DUMP returns, all levels) and, at or above the chosen level, to stderr when the
 * daemon runs with -D; and to the log file and syslog at their priorities ({@link ServiceLog}).
 * Line format as the reference:
 * {@code YYYY-MM-DD HH:MM:SS <monotonic-seconds> [<thread id>]: <message>}.
 */
public final class DaemonLog {
    public static final int ERROR = 3;
    public static final int WARNING = 4;
    public static final int INFO = 6;
    public static final int DEBUG = 7;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int CAPACITY = io.jsanlock.wire.Limits.LOG_DUMP_MAX;

    private final MonotonicClock clock;
    private final PrintStream stderr;
    private final int stderrLevel;
    private final byte[] ring = new byte[CAPACITY];
    /** The log file (-L) and syslog (-S) sinks, set once at start by {@link ServiceLog}; null = none. */
    private volatile Sink fileSink;
    private volatile Sink syslogSink;
    private volatile boolean utc;

    /** A destination of lines at or above a priority (numerically at most {@code maxLevel}). */
    interface Sink {
        int maxLevel();

        void write(int level, String line);
    }
    private int head;      // next write position
    private boolean wrapped;

    /** {@code stderr} null: memory only. {@code stderrLevel}: highest priority number printed (7 = all). */
    public DaemonLog(MonotonicClock clock, PrintStream stderr, int stderrLevel) {
        this.clock = clock;
        this.stderr = stderr;
        this.stderrLevel = stderrLevel;
    }

    public void error(String msg) {
        log(ERROR, msg);
    }

    public void warn(String msg) {
        log(WARNING, msg);
    }

    public void info(String msg) {
        log(INFO, msg);
    }

    public void debug(String msg) {
        log(DEBUG, msg);
    }

    public void log(int level, String msg) {
        String line = (utc ? LocalDateTime.now(java.time.ZoneOffset.UTC) : LocalDateTime.now()).format(TIME) + " " + clock.seconds() + " [" + Thread.currentThread().threadId()
                + "]: " + msg;
        // Names and paths in messages are byte strings (one char per byte): out as those bytes,
        // in the ring (LOG_DUMP) and on stderr alike, whatever the stream's own charset.
        byte[] b = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
        synchronized (this) {
            append(b);
        }
        if (stderr != null && level <= stderrLevel) {
            synchronized (stderr) {
                stderr.write(b, 0, b.length);
                stderr.flush();
            }
        }
        Sink f = fileSink;
        if (f != null && level <= f.maxLevel()) {
            f.write(level, line);
        }
        Sink sys = syslogSink;
        if (sys != null && level <= sys.maxLevel()) {
            sys.write(level, line);
        }
    }

    /** logfile_use_utc: line times in UTC rather than local time. */
    void setUtc(boolean utc) {
        this.utc = utc;
    }

    void setFileSink(Sink sink) {
        fileSink = sink;
    }

    void setSyslogSink(Sink sink) {
        syslogSink = sink;
    }

    private void append(byte[] b) {
        int off = Math.max(0, b.length - CAPACITY);
        for (int i = off; i < b.length; i++) {
            ring[head++] = b[i];
            if (head == CAPACITY) {
                head = 0;
                wrapped = true;
            }
        }
    }

    /** The buffered text, oldest first, without the final newline (as LOG_DUMP sends it). */
    public synchronized byte[] dump() {
        byte[] out;
        if (!wrapped) {
            out = java.util.Arrays.copyOf(ring, head);
        } else {
            out = new byte[CAPACITY];
            System.arraycopy(ring, head, out, 0, CAPACITY - head);
            System.arraycopy(ring, 0, out, CAPACITY - head, head);
        }
        int n = out.length;
        if (n > 0 && out[n - 1] == '\n') {
            n--;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
