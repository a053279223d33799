package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.testkit.Async;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.testkit.Reference;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference `sanlock client` CLI run through the same scenario against the
 * reference daemon and against the jsanlock daemon; outputs and exit codes compared
 * line by line with timestamps, pids and paths masked. The two scenarios run side by side: they
 * share nothing (own daemon, run directory and lease file), and each mostly waits for its daemon.
 */
@Timeout(240)
// the second lane (TestLanes): side by side with the module's other classes, one such class at a time
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestLanes.REFERENCE_PARITY)
class CliParityTest {
    static final String SANLOCK = "/usr/sbin/sanlock";

    record Run(Path runDir, Path leases) {
        String cli(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(SANLOCK, "client"));
            for (String a : args) {
                cmd.add(a.replace("PATH", leases.toString()));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            return String.join(" ", args) + " => exit " + p.exitValue() + "\n" + out;
        }

        String mask(String s, long holderPid) {
            // CLIENT lines follow connection slots, and which slot a connection gets depends on
            // which other connections happened to be open (wire.md review note): compare runs of
            // "p " lines as sets by sorting each run.
            List<String> lines = new ArrayList<>(s.lines().toList());
            for (int i = 0; i < lines.size(); ) {
                int j = i;
                while (j < lines.size() && lines.get(j).startsWith("p ")) {
                    j++;
                }
                if (j > i + 1) {
                    java.util.Collections.sort(lines.subList(i, j));
                }
                i = Math.max(j, i + 1);
            }
            s = String.join("\n", lines) + "\n";
            return s.replace(leases.toString(), "PATH")
                    .replace(Long.toString(holderPid), "PID")
                    .replaceAll("timestamp \\d+", "timestamp T")
                    .replaceAll("gen \\d+", "gen G");
        }
    }

    /**
     * `client status` once connections of earlier commands are gone: a daemon notices a
     * CLI's close asynchronously (the reference too: "p -1 add_lockspace" lingers briefly).
     */
    static String status(Run r, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("status"));
        args.addAll(List.of(extra));
        long end = System.nanoTime() + 5_000_000_000L;
        while (true) {
            String out = r.cli(args.toArray(String[]::new));
            boolean settled = out.lines().noneMatch(l -> l.startsWith("p -1 ") && !l.equals("p -1 helper")
                    && !l.equals("p -1 listener") && !l.equals("p -1 status"));
            if (settled || System.nanoTime() > end) {
                return out;
            }
            Thread.sleep(20);
        }
    }

    String scenario(Run r) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(status(r));
        out.append(r.cli("add_lockspace", "-s", "LS:1:PATH:0", "-o", "1"));
        out.append(r.cli("inq_lockspace", "-s", "LS:1:PATH:0"));
        out.append(r.cli("add_lockspace", "-s", "LS:1:PATH:0", "-o", "1"));
        out.append(status(r));
        ProcessBuilder pb = new ProcessBuilder(SANLOCK, "client", "command", "-r", "LS:R:" + r.leases() + ":1048576", "-c",
                "/bin/sleep", "60").redirectErrorStream(true);
        pb.environment().put("SANLOCK_RUN_DIR", r.runDir().toString());
        Process holder = pb.start();
        long pid = holder.pid();
        try {
            long end = System.nanoTime() + 20_000_000_000L;
            // held, not still being acquired (the reference lists "... p PID ADD" meanwhile)
            while (r.cli("status").lines().noneMatch(l -> l.startsWith("r ") && l.endsWith(" p " + pid))) {
                assertTrue(System.nanoTime() < end, "the command's lease never showed up");
                Thread.sleep(50);
            }
            out.append(status(r));
            out.append(r.cli("inquire", "-p", Long.toString(pid)));
            out.append(r.cli("acquire", "-r", "LS:R2:PATH:2097152:SH", "-p", Long.toString(pid)));
            out.append(r.cli("inquire", "-p", Long.toString(pid)));
            out.append(status(r, "-o", "p"));
            out.append(r.cli("release", "-r", "LS:R2:PATH:2097152", "-p", Long.toString(pid)));
            out.append(r.cli("release", "-r", "LS:R2:PATH:2097152", "-p", Long.toString(pid)));
            out.append(r.cli("inquire", "-p", "999999"));
            // host records exist once the daemon has read the lockspace after joining (both daemons)
            long until = System.nanoTime() + 10_000_000_000L;
            String hs;
            while (!(hs = r.cli("host_status", "-s", "LS")).contains("\n1 timestamp ")) {
                assertTrue(System.nanoTime() < until, "no host records: " + hs);
                Thread.sleep(100);
            }
            out.append(hs);
            out.append(r.cli("host_status", "-s", "NOPE"));
            out.append(r.cli("gets"));
            out.append(r.cli("read", "-r", "LS:R:PATH:1048576"));
            out.append(r.cli("read", "-s", "LS:0:PATH:0", "-D"));
            out.append(r.cli("shutdown"));
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
        long end = System.nanoTime() + 5_000_000_000L;
        // gone means no client line and no lease line of the pid, including the reference's
        // "r … p PID REM" listed while it still releases a dead client's lease
        while (r.cli("status").lines().anyMatch(l -> l.startsWith("p " + pid + " ") || l.endsWith(" p " + pid)
                || l.endsWith(" p " + pid + " REM"))) {
            assertTrue(System.nanoTime() < end, "lease not released after kill -9 of the holder");
            Thread.sleep(50);
        }
        out.append(status(r));
        out.append(r.cli("rem_lockspace", "-s", "LS:1:PATH:0"));
        out.append(r.cli("rem_lockspace", "-s", "LS:1:PATH:0"));
        out.append(r.cli("inq_lockspace", "-s", "LS:1:PATH:0"));
        out.append(r.cli("version"));
        String dump = r.cli("log_dump");
        out.append("log_dump exit ").append(dump.lines().findFirst().orElse("").replaceAll(".*=> ", "")).append("\n");
        out.append(r.cli("shutdown"));
        return r.mask(out.toString(), pid);
    }

    @Test
    void sameOutputFromBothDaemons() throws Exception {
        Path dir = TempDirs.create("jsanlock-cliparity");
        Run ref = new Run(dir.resolve("refrun"), dir.resolve("ref-leases"));
        Run mine = new Run(dir.resolve("jrun"), dir.resolve("j-leases"));
        for (Run r : List.of(ref, mine)) {
            Files.write(r.leases(), new byte[3 << 20]);
            for (String[] init : List.of(new String[] {"-s", "LS:0:" + r.leases() + ":0", "-o", "1"},
                    new String[] {"-r", "LS:R:" + r.leases() + ":1048576"}, new String[] {"-r", "LS:R2:" + r.leases() + ":2097152"})) {
                List<String> cmd = new ArrayList<>(List.of(SANLOCK, "direct", "init"));
                cmd.addAll(List.of(init));
                assertEquals(0, new ProcessBuilder(cmd).start().waitFor());
            }
        }
        long refPid = Reference.startDaemon(ref.runDir(), "hostC");
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        Daemon jd = new Daemon(DaemonOptions.parse("-D", "-e", "hostC").withRunDir(mine.runDir()),
                new EngineBackend(LeaseEngine.builder("hostC").build(), log), log, MonotonicClock.SYSTEM);
        jd.start();
        try {
            java.util.concurrent.CompletableFuture<String> refRunning = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return scenario(ref);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, Async.executor());
            String b = scenario(mine);
            String a = refRunning.get(200, TimeUnit.SECONDS);
            System.out.println("reference CLI against the reference daemon:\n" + a);
            String[] al = a.split("\n");
            String[] bl = b.split("\n");
            for (int i = 0; i < Math.min(al.length, bl.length); i++) {
                assertEquals(al[i], bl[i], "line " + (i + 1) + "\nreference daemon:\n" + a + "\njsanlock daemon:\n" + b);
            }
            assertEquals(al.length, bl.length, "reference daemon:\n" + a + "\njsanlock daemon:\n" + b);
        } finally {
            jd.shutdown();
            Reference.kill(refPid);
        }
    }
}
