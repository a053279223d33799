package io.jsanlock.base.log;

import com.google.errorprone.annotations.FormatMethod;
import com.google.errorprone.annotations.FormatString;
import io.jsanlock.base.MonotonicClock;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded in-memory ring of log lines, the equivalent of sanlock's log buffer
 * that {@code sanlock client log_dump} prints. Every line is stamped with the
 * local monotonic second (as sanlock's daemon log does) and also forwarded to a
 * {@link System.Logger}, so the ring is a cheap always-on recent history while
 * the normal log keeps everything.
 *
 * <p>Thread-safe; appends are O(1) and never block on I/O (the forwarder's
 * logger may, but it is only called when that level is enabled). When full,
 * the oldest lines are overwritten.
 */
public final class LogRing {
    private final MonotonicClock clock;
    private final String[] lines;
    private final System.Logger logger;
    private long appended;

    public LogRing(MonotonicClock clock, int capacity, String loggerName) {
        if (capacity < 1) {
            throw new IllegalArgumentException("log ring capacity must be at least 1, got " + capacity);
        }
        this.clock = clock;
        this.lines = new String[capacity];
        this.logger = System.getLogger(loggerName);
    }

    public LogRing(MonotonicClock clock, int capacity) {
        this(clock, capacity, "io.jsanlock");
    }

    /** Appends one line: {@code "<monotonic seconds> <message>"}. */
    public void log(String message) {
        String line = clock.seconds() + " " + message;
        synchronized (this) {
            lines[(int) (appended % lines.length)] = line;
            appended++;
        }
        if (logger.isLoggable(System.Logger.Level.DEBUG)) {
            logger.log(System.Logger.Level.DEBUG, line);
        }
    }

    /** Formats with {@link String#format} and appends. */
    @FormatMethod
    public void logf(@FormatString String format, Object... args) {
        log(String.format(format, args));
    }

    /** The retained lines, oldest first. */
    public synchronized List<String> lines() {
        int n = (int) Math.min(appended, lines.length);
        List<String> out = new ArrayList<>(n);
        for (long i = appended - n; i < appended; i++) {
            out.add(lines[(int) (i % lines.length)]);
        }
        return out;
    }

    /** The retained lines joined with newlines, as log_dump prints them. */
    public String dump() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines()) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /** How many lines were ever appended (including overwritten ones). */
    public synchronized long appended() {
        return appended;
    }

    public int capacity() {
        return lines.length;
    }
}
