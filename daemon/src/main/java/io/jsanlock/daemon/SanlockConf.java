package io.jsanlock.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /etc/sanlock/sanlock.conf}, read at start with sanlock 3.8.5's keys and semantics
 * (observed on the reference binary; the command line is applied afterwards and wins):
 * <ul>
 * <li>A line is {@code KEY = VALUE} (spaces around '=' optional). The key starts at the first
 *     column and matches exactly and case-sensitively ({@code quiet_fail_x} is not
 *     {@code quiet_fail}; an indented line matches nothing). '#' lines are comments.</li>
 * <li>The value is the first word after '=' ({@code our_host_name = a b} gives {@code a}); numbers
 *     are read as atoi reads them ({@code 7 trailing} is 7, {@code abc} is 0).</li>
 * <li>Unknown keys are ignored.</li>
 * </ul>
 * Where jsanlock differs on purpose: every unknown key, non-numeric number and line without a
 * value gets a log line; and a line without '=' or without a value is ignored, where the
 * reference reuses the value of the previous line (a stale buffer: {@code sh_retries=} after
 * {@code renewal_history_size = 7} set sh_retries to 7).
 *
 * <p>jsanlock's own keys: {@code metrics_address = HOST:PORT} (as daemon -M) and
 * {@code renewal_warn_percent = 1..100} (default 50), both in docs/metrics.md.
 *
 * <p>{@code $JSANLOCK_CONF} names another file (tests).
 */
final class SanlockConf {
    static final String DEFAULT_PATH = "/etc/sanlock/sanlock.conf";

    /** Keys read but without effect in jsanlock, and why (logged when present). */
    private static final Map<String, String> NO_EFFECT = Map.of(
            "names_log_priority", "jsanlock logs no separate lines for lease names",
            "renewal_read_extend_sec", "jsanlock's renewal reads use the io_timeout as the extension",
            "paxos_debug_all", "jsanlock's paxos debug lines are not selectable",
            "debug_io", "jsanlock has no per-I/O debug log",
            "debug_cmd", "jsanlock logs the same commands whatever this says",
            "max_sectors_kb", "jsanlock does not change the device's max_sectors_kb");

    /** The options after the file, and the log lines to write once the log exists. */
    record Result(DaemonOptions options, List<String> notes) {}

    static Path path(Map<String, String> env) {
        String p = env.get("JSANLOCK_CONF");
        return Path.of(p != null && !p.isEmpty() ? p : DEFAULT_PATH);
    }

    static Result read(Path file, DaemonOptions d) {
        List<String> notes = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return new Result(d, notes);
        } catch (IOException e) {
            notes.add("config " + file + " not read: " + e.getMessage());
            return new Result(d, notes);
        }
        boolean quiet = d.quietFail(), renew = d.debugRenew(), wd = d.useWatchdog(), hp = d.highPriority(), aio = d.useAio();
        boolean utc = d.logfileUseUtc();
        int hist = d.renewalHistorySize(), lp = d.logfilePriority(), sp = d.syslogPriority(), threads = d.maxWorkerThreads();
        int mlock = d.mlockLevel(), shRetries = d.shRetries(), writeInit = d.writeInitIoTimeout(), debugClients = d.debugClients();
        String user = d.socketUser(), group = d.socketGroup(), host = d.hostName(), metrics = d.metricsAddress();
        int warnPercent = d.renewalWarnPercent();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            if (line.isEmpty() || line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String where = "config " + file + ":" + n + ": ";
            int keyEnd = 0;
            while (keyEnd < line.length() && " \t=".indexOf(line.charAt(keyEnd)) < 0) {
                keyEnd++;
            }
            String key = line.substring(0, keyEnd);
            int eq = line.indexOf('=', keyEnd);
            String[] words = eq < 0 ? new String[0] : line.substring(eq + 1).strip().split("\\s+");
            String value = words.length == 0 || words[0].isEmpty() ? null : words[0];
            if (!isKey(key)) {
                notes.add(where + (key.isEmpty() ? "no key at the start of the line (sanlock reads no indented keys): '"
                        + line.strip() + "' ignored" : "unknown key '" + key + "' ignored"));
                continue;
            }
            if (value == null) {
                notes.add(where + key + " has no value (expected " + key + " = VALUE): ignored");
                continue;
            }
            if (NO_EFFECT.containsKey(key)) {
                notes.add(where + key + " = " + value + " accepted, no effect: " + NO_EFFECT.get(key));
                continue;
            }
            if (key.equals("uname") || key.equals("gname") || key.equals("our_host_name") || key.equals("metrics_address")) {
                switch (key) {
                    case "uname" -> user = value;
                    case "gname" -> group = value;
                    case "metrics_address" -> {
                        try {
                            io.jsanlock.daemon.web.MetricsAddress.parse(value);
                            metrics = value;
                        } catch (IllegalArgumentException e) {
                            notes.add(where + e.getMessage() + ": not served");
                        }
                    }
                    default -> host = value.length() > 48 ? value.substring(0, 48) : value;
                }
                continue;
            }
            if (!value.matches("-?[0-9]+")) {
                notes.add(where + key + " = " + value + " is not a number: read as " + DaemonOptions.atoi(value)
                        + " (as sanlock reads it)");
            }
            int v = DaemonOptions.atoi(value);
            switch (key) {
                case "quiet_fail" -> quiet = v != 0;
                case "debug_renew" -> renew = v != 0;
                case "use_aio" -> {
                    aio = v != 0;
                    if (v == 0) {
                        notes.add(where + "use_aio = 0 accepted: jsanlock's I/O is the same either way");
                    }
                }
                case "logfile_priority" -> lp = v;
                case "logfile_use_utc" -> utc = v != 0;
                case "syslog_priority" -> sp = v;
                case "use_watchdog" -> wd = v != 0;
                case "high_priority" -> {
                    hp = v != 0;
                    if (hp) {
                        notes.add(where + "high_priority accepted, no effect: a JVM cannot give its threads RR scheduling");
                    }
                }
                case "mlock_level" -> {
                    mlock = v;
                    notes.add(where + "mlock_level accepted, shown in status, no effect: jsanlock does not mlockall its JVM");
                }
                case "sh_retries" -> shRetries = v;
                case "write_init_io_timeout" -> writeInit = v;
                case "renewal_history_size" -> hist = v;
                case "max_worker_threads" -> threads = Math.max(2, v);
                case "debug_clients" -> {
                    debugClients = v;
                    notes.add(where + "debug_clients accepted, shown in status, no effect: jsanlock has no per-client debug log");
                }
                case "renewal_warn_percent" -> {
                    if (v < 1 || v > 100) {
                        notes.add(where + "renewal_warn_percent = " + value + " is not 1..100: " + warnPercent + " kept");
                    } else {
                        warnPercent = v;
                    }
                }
                default -> throw new IllegalStateException(key);
            }
        }
        DaemonOptions o = new DaemonOptions(d.foreground(), quiet, renew, hist, lp, sp, user, group, threads,
                d.graceSeconds(), wd, hp, mlock, d.bitmapSeconds(), host, d.runDir(), shRetries, writeInit, aio, utc, debugClients,
                metrics, warnPercent);
        return new Result(o, notes);
    }

    private static boolean isKey(String key) {
        return NO_EFFECT.containsKey(key) || switch (key) {
            case "quiet_fail", "debug_renew", "use_aio", "logfile_priority", "logfile_use_utc", "syslog_priority",
                 "use_watchdog", "high_priority", "mlock_level", "sh_retries", "uname", "gname", "our_host_name",
                 "write_init_io_timeout", "renewal_history_size", "max_worker_threads", "debug_clients" -> true;
            // jsanlock's own keys (sanlock 3.8.5 ignores unknown keys, so a shared file works for both)
            case "metrics_address", "renewal_warn_percent" -> true;
            default -> false;
        };
    }
}
