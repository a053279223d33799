package io.jsanlock.daemon;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;

import java.nio.file.Path;
import java.util.UUID;

/**
 * {@code sanlock daemon} options of 3.8.5 (wire.md 7.8). Parsed with sanlock's rules:
 * every option is {@code -X value} except {@code -D}.
 *
 * @param foreground         -D: stay in the foreground and log everything to stderr
 * @param quietFail          -Q 0|1 (1)
 * @param debugRenew         -R 0|1 (0)
 * @param renewalHistorySize -H n (180)
 * @param logfilePriority    -L pri (4 = warning, -1 none)
 * @param syslogPriority     -S pri (3 = err, -1 none)
 * @param socketUser         -U name ("" = default: user sanlock if it exists, else root)
 * @param socketGroup        -G name
 * @param maxWorkerThreads   -t n (8, at least 2); bounds concurrent disk-bound commands
 * @param graceSeconds       -g sec (40, 0..60)
 * @param useWatchdog        -w 0|1 (1)
 * @param highPriority       -h 0|1 (0)
 * @param mlockLevel         -l n (1)
 * @param bitmapSeconds      -b sec (0 = 6 × io_timeout)
 * @param hostName           -e name (default: random uuid + "." + node name, cut to 48)
 * @param runDir             $SANLOCK_RUN_DIR or /run/sanlock
 * @param shRetries          sanlock.conf sh_retries (8): shown in the DAEMON status record
 * @param writeInitIoTimeout sanlock.conf write_init_io_timeout (60): shown in the DAEMON status record
 * @param useAio             sanlock.conf use_aio (1): shown in the DAEMON status record
 * @param logfileUseUtc      sanlock.conf logfile_use_utc (0): log line times in UTC
 * @param debugClients       sanlock.conf debug_clients (0): shown in the DAEMON status record
 * @param metricsAddress     jsanlock's -M HOST:PORT or sanlock.conf metrics_address: where to serve Prometheus
 *                           metrics and the web view (docs/metrics.md); "" = not served (the default)
 * @param renewalWarnPercent sanlock.conf renewal_warn_percent (50): a renewal whose read or write took more than
 *                           this share of io_timeout gets a warning (io.jsanlock.daemon.metrics.RenewalHeadroom)
 */
public record DaemonOptions(boolean foreground, boolean quietFail, boolean debugRenew, int renewalHistorySize,
                            int logfilePriority, int syslogPriority, String socketUser, String socketGroup,
                            int maxWorkerThreads, int graceSeconds, boolean useWatchdog, boolean highPriority,
                            int mlockLevel, int bitmapSeconds, String hostName, Path runDir,
                            int shRetries, int writeInitIoTimeout, boolean useAio, boolean logfileUseUtc,
                            int debugClients, String metricsAddress, int renewalWarnPercent) {

    public static final Path DEFAULT_RUN_DIR = Path.of("/run/sanlock");

    public static DaemonOptions defaults() {
        return new DaemonOptions(false, true, false, 180, 4, 3, "", "", 8, 40, true, false, 1, 0,
                defaultHostName(), runDirFromEnvironment(), 8, 60, true, false, 0, "", 50);
    }

    public static Path runDirFromEnvironment() {
        String env = System.getenv("SANLOCK_RUN_DIR");
        return env != null ? Path.of(env) : DEFAULT_RUN_DIR;
    }

    /** sanlock's default host name: a new uuid, ".", the node name, cut to 48 bytes. */
    public static String defaultHostName() {
        String node;
        try {
            node = java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            node = "localhost";
        }
        String s = UUID.randomUUID() + "." + node;
        return s.length() > 48 ? s.substring(0, 48) : s;
    }

    public DaemonOptions withRunDir(Path dir) {
        return new DaemonOptions(foreground, quietFail, debugRenew, renewalHistorySize, logfilePriority, syslogPriority,
                socketUser, socketGroup, maxWorkerThreads, graceSeconds, useWatchdog, highPriority, mlockLevel,
                bitmapSeconds, hostName, dir, shRetries, writeInitIoTimeout, useAio, logfileUseUtc, debugClients, metricsAddress,
                renewalWarnPercent);
    }

    /** Parses the arguments after {@code daemon}. Unknown options or missing values: -22 with sanlock's message. */
    public static DaemonOptions parse(String... args) throws SanlockException {
        return parse(defaults(), args);
    }

    /** Parses the arguments after {@code daemon} over {@code d} (sanlock.conf's values): the command line wins. */
    public static DaemonOptions parse(DaemonOptions d, String... args) throws SanlockException {
        boolean fg = d.foreground, quiet = d.quietFail, renew = d.debugRenew, wd = d.useWatchdog, hp = d.highPriority;
        int hist = d.renewalHistorySize, lp = d.logfilePriority, sp = d.syslogPriority, threads = d.maxWorkerThreads;
        int grace = d.graceSeconds, mlock = d.mlockLevel, bitmap = d.bitmapSeconds;
        String user = d.socketUser, group = d.socketGroup, host = d.hostName, metrics = d.metricsAddress;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.length() != 2 || a.charAt(0) != '-') {
                throw new SanlockException(SanlockError.EINVAL, "unknown option " + a + "\nspace required before option value");
            }
            char c = a.charAt(1);
            if (c == 'D') {
                fg = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new SanlockException(SanlockError.EINVAL, "option '" + c + "' requires arg");
            }
            String v = args[++i];
            switch (c) {
                case 'Q' -> quiet = atoi(v) != 0;
                case 'R' -> renew = atoi(v) != 0;
                case 'H' -> hist = atoi(v);
                case 'L' -> lp = atoi(v);
                case 'S' -> sp = atoi(v);
                case 'U' -> user = v;
                case 'G' -> group = v;
                case 't' -> threads = Math.max(2, atoi(v));
                case 'g' -> {
                    int g = atoi(v);
                    if (g >= 0 && g <= 60) {
                        grace = g;
                    }
                }
                case 'w' -> wd = atoi(v) != 0;
                case 'h' -> hp = atoi(v) != 0;
                case 'l' -> mlock = atoi(v);
                case 'b' -> bitmap = atoi(v);
                case 'e' -> host = v.length() > 48 ? v.substring(0, 48) : v;
                case 'o' -> { } // parsed, no effect in 3.8.5
                case 'M' -> { // jsanlock only: sanlock 3.8.5 has no -M (it fails with "unknown option: M")
                    try {
                        io.jsanlock.daemon.web.MetricsAddress.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new SanlockException(SanlockError.EINVAL, e.getMessage());
                    }
                    metrics = v;
                }
                default -> throw new SanlockException(SanlockError.EINVAL, "unknown option: " + c);
            }
        }
        return new DaemonOptions(fg, quiet, renew, hist, lp, sp, user, group, threads, grace, wd, hp, mlock, bitmap, host,
                d.runDir, d.shRetries, d.writeInitIoTimeout, d.useAio, d.logfileUseUtc, d.debugClients, metrics, d.renewalWarnPercent);
    }

    static int atoi(String s) {
        return (int) io.jsanlock.format.CNumbers.atoll(s);
    }
}
