package io.jsanlock.dist.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sanlock.conf, key by key: the reference daemon and ours start with the same file and the same
 * command line (without -D, as a service starts them), and what the key changes is compared:
 * its field of the DAEMON record ({@code client status -D}), the socket's owner, the log file,
 * the syslog messages. The reference reads /etc/sanlock/sanlock.conf, so it runs in a private
 * mount namespace (dist/src/test/sh/daemon-with-conf); nothing on the host changes.
 *
 * <p>A case is two daemons started, asked and stopped side by side (~3 s, most of it waiting
 * for the daemons to start and to exit); cases share nothing (each its own temp dir, conf file, run
 * dirs, syslog socket and mount namespace) and hold no lockspace (nothing to renew), so two
 * cases run at once.
 */
@org.junit.jupiter.api.Tag("slow") // a whole-system run (~50 s on a loaded 2-core machine): failsafe, not the fast loop
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT) // see above
class SanlockConfParityTest {
    static final Path REPO = Path.of(System.getProperty("jsanlock.repo", "..")).toAbsolutePath().normalize();
    static final Path SCRIPT = REPO.resolve("dist/src/test/sh/daemon-with-conf");

    /**
     * One key: the file, the daemon options besides the base ones (the base sets every option
     * a key could also set, except the ones this case leaves to the file), and the DAEMON
     * record fields that show the key.
     */
    record Case(String name, String conf, List<String> omit, List<String> extraArgs, List<String> fields) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String conf, List<String> omit, String... fields) {
        return new Case(conf.strip().replace('\n', ';'), conf, omit, List.of(), List.of(fields));
    }

    static Stream<Case> statusKeys() {
        return Stream.of(
                c("quiet_fail = 0\n", List.of(), "quiet_fail"),
                c("debug_renew = 1\n", List.of(), "debug_renew"),
                c("use_aio = 0\n", List.of(), "use_aio"),
                c("use_watchdog = 0\n", List.of("-w"), "use_watchdog"),
                c("high_priority = 1\n", List.of("-h"), "high_priority"),
                c("mlock_level = 0\n", List.of("-l"), "mlock_level"),
                c("sh_retries = 3\n", List.of(), "sh_retries"),
                c("uname = nobody\ngname = nogroup\n", List.of("-U", "-G"), "uid", "gid"),
                c("our_host_name = conf-host\n", List.of("-e"), "our_host_name"),
                c("write_init_io_timeout = 7\n", List.of(), "write_init_io_timeout"),
                c("renewal_history_size = 5\n", List.of(), "renewal_history_size"),
                c("max_worker_threads = 1\n", List.of(), "max_worker_threads"),
                c("max_worker_threads = 5\n", List.of(), "max_worker_threads"),
                c("debug_clients = 1\n", List.of(), "debug_clients"),
                // keys without a status field: the daemon starts and nothing else changes
                c("names_log_priority = 7\nrenewal_read_extend_sec = 5\npaxos_debug_all = 1\n", List.of(),
                        "quiet_fail", "debug_renew", "max_worker_threads"),
                // parsing, as the reference parses
                c("quiet_fail=0\n", List.of(), "quiet_fail"),
                c("renewal_history_size = 7 trailing\n", List.of(), "renewal_history_size"),
                c("renewal_history_size = abc\n", List.of(), "renewal_history_size"),
                c("our_host_name = two words\n", List.of("-e"), "our_host_name"),
                c("quiet_fail_extra = 0\nQUIET_FAIL = 0\n  quiet_fail = 0\n# quiet_fail = 0\nno_such_key = 1\n", List.of(),
                        "quiet_fail"),
                // the command line wins
                new Case("-Q 1 over quiet_fail = 0", "quiet_fail = 0\n", List.of(), List.of("-Q", "1"), List.of("quiet_fail")),
                new Case("-e over our_host_name", "our_host_name = conf-host\n", List.of(), List.of(), List.of("our_host_name")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statusKeys")
    void keyShowsTheSameInTheDaemonRecord(Case k, @org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        List<List<String>> both = both(k, tmp, Map.of());
        Map<String, String> ref = fields(both.get(0));
        Map<String, String> ours = fields(both.get(1));
        for (String f : k.fields()) {
            assertTrue(ref.containsKey(f), "reference record lacks " + f + ": " + ref);
            assertEquals(ref.get(f), ours.get(f), f + " after " + k.name());
        }
        if (k.fields().contains("uid")) {
            assertEquals(ref.get("SOCKET"), ours.get("SOCKET"), "socket owner and mode");
        }
    }

    @Test
    void logfilePriorityChoosesTheLinesOfTheLogFile(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        for (String pri : List.of("4", "3", "-1")) {
            Case k = c("logfile_priority = " + pri + "\n", List.of(), "quiet_fail");
            List<List<String>> both = both(k, tmp, Map.of());
            boolean ref = has(both.get(0), "LOG ", "sanlock daemon started 3.8.5 host");
            boolean ours = has(both.get(1), "LOG ", "sanlock daemon started 3.8.5 host");
            assertEquals(ref, ours, "start line in the log file with logfile_priority = " + pri);
            assertEquals(pri.equals("4"), ref, "the reference logs its start line at warning");
        }
    }

    @Test
    void syslogPriorityChoosesTheSyslogMessages(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        for (String pri : List.of("4", "3")) {
            Case k = c("syslog_priority = " + pri + "\n", List.of(), "quiet_fail");
            List<List<String>> both = both(k, tmp, Map.of());
            List<String> ref = syslogStart(both.get(0));
            List<String> ours = syslogStart(both.get(1));
            assertEquals(ref, ours, "syslog start messages with syslog_priority = " + pri);
            assertEquals(pri.equals("4"), !ref.isEmpty());
        }
    }

    @Test
    void logfileUseUtcWritesUtcTimes(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // Far from UTC, so local and UTC times differ by hours.
        Map<String, String> tz = Map.of("TZ", "Asia/Tokyo");
        for (String utc : List.of("1", "0")) {
            Case k = c("logfile_use_utc = " + utc + "\nlogfile_priority = 4\n", List.of(), "quiet_fail");
            List<List<String>> both = both(k, tmp, tz);
            boolean ref = firstLogLineIsUtc(both.get(0));
            boolean ours = firstLogLineIsUtc(both.get(1));
            assertEquals(ref, ours, "log times in UTC with logfile_use_utc = " + utc);
            assertEquals(utc.equals("1"), ref);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Threads of their own for the two runs of a case. Not CompletableFuture's default: on a
     * 2-core machine that is the common pool's single thread, which ran the two daemons of a
     * case (and those of the case beside it) one after the other.
     */
    private static final java.util.concurrent.ExecutorService RUNNERS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /** The reference's report and ours, the two daemons run side by side (each in its own directory). */
    static List<List<String>> both(Case k, Path tmp, Map<String, String> env) {
        var ref = java.util.concurrent.CompletableFuture.supplyAsync(() -> run("reference", k, tmp, env), RUNNERS);
        var ours = java.util.concurrent.CompletableFuture.supplyAsync(() -> run("jsanlock", k, tmp, env), RUNNERS);
        try {
            return List.of(ref.join(), ours.join());
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
        }
    }

    static List<String> run(String kind, Case k, Path tmp, Map<String, String> env) {
        try {
            return runOnce(kind, k, tmp, env);
        } catch (IOException e) {
            throw new AssertionError(kind + ": " + e, e);
        }
    }

    static List<String> runOnce(String kind, Case k, Path tmp, Map<String, String> env) throws IOException {
        int runs = RUNS.getAndIncrement();
        // The reference switches to the uname/gname user once started (3.8.5 drops root), so
        // that user must be able to reach its run directory.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = tmp.resolve("sanlock.conf." + runs);
        Files.writeString(conf, k.conf(), StandardCharsets.ISO_8859_1);
        Path run = tmp.resolve(kind + "." + runs);
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), kind, conf.toString(), run.toString()));
        List<String> base = List.of("-w", "0", "-l", "0", "-h", "0", "-U", "root", "-G", "root", "-e", "base-host");
        for (int i = 0; i < base.size(); i += 2) {
            if (!k.omit().contains(base.get(i)) && !k.extraArgs().contains(base.get(i))) {
                cmd.add(base.get(i));
                cmd.add(base.get(i + 1));
            }
        }
        cmd.addAll(k.extraArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals(0, p.exitValue(), kind + " run failed:\n" + out);
        assertFalse(out.contains("START-FAILED"), kind + " daemon did not start:\n" + out);
        return out.lines().toList();
    }

    static Map<String, String> fields(List<String> out) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String l : out) {
            if (l.startsWith("STATUS ")) {
                for (String w : l.substring(7).split(" ")) {
                    int eq = w.indexOf('=');
                    if (eq > 0) {
                        m.put(w.substring(0, eq), w.substring(eq + 1));
                    }
                }
            } else if (l.startsWith("SOCKET ")) {
                m.put("SOCKET", l.substring(7));
            }
        }
        if (m.isEmpty()) {
            throw new AssertionError("no status in:\n" + String.join("\n", out));
        }
        return m;
    }

    static boolean has(List<String> out, String prefix, String text) {
        return out.stream().anyMatch(l -> l.startsWith(prefix) && l.contains(text));
    }

    /** The syslog start messages, without the parts that differ by run: time, pid, thread, node name. */
    static List<String> syslogStart(List<String> out) {
        return out.stream().filter(l -> l.startsWith("SYSLOG ") && l.contains("sanlock daemon started"))
                .map(l -> l.replaceAll("^SYSLOG (<\\d+>)\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d sanlock\\[\\d+\\]: \\S+ \\S+ \\d+ \\[\\d+\\]: ", "$1 ")
                        .replaceAll(" \\([^)]*\\)$", ""))
                .toList();
    }

    static boolean firstLogLineIsUtc(List<String> out) {
        Pattern time = Pattern.compile("^LOG (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d) ");
        for (String l : out) {
            Matcher m = time.matcher(l);
            if (m.find()) {
                LocalDateTime t = LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
                return Math.abs(java.time.Duration.between(t, LocalDateTime.now(ZoneOffset.UTC)).toMinutes()) < 30;
            }
        }
        throw new AssertionError("no log line in:\n" + String.join("\n", out));
    }
}
