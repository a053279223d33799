package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.wire.unix.UnixDatagram;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * The daemon's log destinations as sanlock's: the log file {@code /var/log/sanlock.log} at the
 * -L priority (logfile_priority, default 4 = warning; -1 none) and syslog at the -S priority
 * (syslog_priority, default 3 = err; -1 none) with ident {@code sanlock} and facility daemon,
 * each line being the log line itself ({@code <28>Dec  7 04:42:21 sanlock[PID]: 2026-12-07 04:42:21
 * 602 [PID]: ...}, as observed from the reference). With -D, every line also goes to stderr.
 *
 * <p>Run by systemd without -D ({@code $JOURNAL_STREAM} set: stderr is the journal), the syslog
 * lines go to stderr with a {@code <N>} priority prefix the journal understands, instead of to
 * /dev/log, where the journal would get them a second time.
 *
 * <p>The file is opened for appending (O_APPEND) and never reopened: logrotate's copytruncate
 * (the shipped snippet) rotates it without a signal. {@code $JSANLOCK_LOG_FILE} names another
 * file (tests). A file that cannot be opened means no file log, as in sanlock.
 */
final class ServiceLog {
    static final String DEFAULT_LOG_FILE = "/var/log/sanlock.log";
    static final String SYSLOG_SOCKET = "/dev/log";
    private static final int LOG_DAEMON = 3 << 3;
    private static final DateTimeFormatter SYSLOG_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private ServiceLog() {}

    /** The daemon's log for these options and environment, with its file and syslog sinks. */
    static DaemonLog create(MonotonicClock clock, PrintStream err, DaemonOptions opts, Map<String, String> env) {
        boolean journal = !opts.foreground() && env.get("JOURNAL_STREAM") != null;
        // Under systemd the syslog sink writes the journal's lines on stderr: no plain copy as well.
        DaemonLog log = new DaemonLog(clock, journal && opts.syslogPriority() >= 0 ? null : err,
                opts.foreground() ? DaemonLog.DEBUG : DaemonLog.ERROR);
        log.setUtc(opts.logfileUseUtc());
        if (opts.logfilePriority() >= 0) {
            String path = env.getOrDefault("JSANLOCK_LOG_FILE", DEFAULT_LOG_FILE);
            try {
                FileOutputStream file = new FileOutputStream(Path.of(path).toFile(), true);
                int max = opts.logfilePriority();
                log.setFileSink(new DaemonLog.Sink() {
                    @Override
                    public int maxLevel() {
                        return max;
                    }

                    @Override
                    public void write(int level, String line) {
                        try {
                            synchronized (file) {
                                file.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                            }
                        } catch (IOException e) {
                            // a full or failing /var/log must not stop the lease daemon
                        }
                    }
                });
            } catch (IOException | SecurityException e) {
                // no log file, as sanlock without write access to /var/log
            }
        }
        if (opts.syslogPriority() >= 0) {
            int max = opts.syslogPriority();
            long pid = ProcessHandle.current().pid();
            String socket = env.getOrDefault("JSANLOCK_SYSLOG_SOCKET", SYSLOG_SOCKET);
            log.setSyslogSink(new DaemonLog.Sink() {
                @Override
                public int maxLevel() {
                    return max;
                }

                @Override
                public void write(int level, String line) {
                    if (journal) {
                        synchronized (err) {
                            err.println("<" + level + ">" + line);
                        }
                    } else {
                        String msg = "<" + (LOG_DAEMON | level) + ">" + LocalDateTime.now().format(SYSLOG_TIME)
                                + " sanlock[" + pid + "]: " + line + "\n";
                        UnixDatagram.send(socket, msg.getBytes(StandardCharsets.UTF_8));
                    }
                }
            });
        }
        return log;
    }
}
