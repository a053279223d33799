package io.jsanlock.dist.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's step 3: {@code bin/jsanlock client command -r R -c /bin/sleep 30} holds R for
 * as long as the sleep runs — the CLI process <em>becomes</em> the sleep (same pid, the
 * registered connection inherited) — and after {@code kill -9} of that pid the lease is
 * free on disk within a second. Against a reference daemon.
 */
class CommandHoldsLeaseTest {
    @TempDir
    Path dir;
    private TestDaemon daemon;
    private Process command;
    private Path leases;

    @BeforeEach
    void join() throws IOException {
        Run.requireReference();
        leases = dir.resolve("leases");
        try (RandomAccessFile f = new RandomAccessFile(leases.toFile(), "rw")) {
            f.setLength(3L << 20);
        }
        Lab.check(Run.sanlock(null, List.of("direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1")));
        Lab.check(Run.sanlock(null, List.of("direct", "init", "-r", "LS:R:" + leases + ":1M")));
        daemon = TestDaemon.start(TestDaemon.Kind.REFERENCE, dir.resolve("run"), "hostA");
        Lab.check(Run.sanlock(daemon.runDir, List.of("client", "add_lockspace", "-s", "LS:1:" + leases + ":0", "-o", "1")));
    }

    @AfterEach
    void stop() {
        if (command != null) {
            command.destroyForcibly();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void commandHoldsTheLeaseUntilKilledAndTheLeaseIsFreeWithinASecond() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Run.JSANLOCK.toString(), "client", "command", "-r", "LS:R:" + leases + ":1M",
                "-c", "/bin/sleep", "30");
        pb.environment().put("SANLOCK_RUN_DIR", daemon.runDir.toString());
        pb.redirectErrorStream(true);
        command = pb.start();
        long pid = command.pid();

        String heldLine = "r LS:R:" + leases + ":1048576:";
        assertTrue(Run.await(30_000, () -> status().lines().anyMatch(l -> l.startsWith(heldLine) && l.endsWith(" p " + pid))),
                "R not held by pid " + pid + ":\n" + status());
        // The JVM becomes the program (same pid, now /bin/sleep) right after the acquire.
        assertTrue(Run.await(10_000, () -> executable(pid).endsWith("/sleep")),
                "pid " + pid + " runs " + executable(pid) + ", not the sleep");
        assertTrue(ownerOfR() == 1, "R not owned by host 1 on disk:\n" + dump());
        assertTrue(command.isAlive());

        // Still held a little later: the lease lives as long as the program.
        Thread.sleep(1500);
        assertTrue(status().contains(heldLine), "R released while the command still runs:\n" + status());

        // kill -9 the program: the daemon sees the registered socket close and frees R at once.
        long killed = System.nanoTime();
        Run.cmd(null, List.of("kill", "-9", Long.toString(pid)));
        // at once, on the socket's close: 5 s is a bound a loaded machine meets, under the 8 s
        // (8·io_timeout) after which anything else could free it
        boolean free = Run.await(5000, () -> ownerOfR() == 0);
        long ms = (System.nanoTime() - killed) / 1_000_000;
        assertTrue(free, "R still held " + ms + " ms after kill -9:\n" + dump());
        assertTrue(command.waitFor(5, TimeUnit.SECONDS));
        assertEquals(137, command.exitValue(), "exit status is the killed program's");
        // stdout was a pipe: sanlock's progress lines are lost on a successful execv, and so are ours.
        assertEquals("", new String(command.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(status().lines().noneMatch(l -> l.startsWith("r LS:R:")), status());
    }

    private static String executable(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("");
    }

    private String status() {
        return Run.sanlock(daemon.runDir, List.of("client", "status")).out();
    }

    private String dump() {
        return Run.sanlock(null, List.of("direct", "dump", leases + ":1M:1M")).out();
    }

    /**
     * Owner of R as {@code direct dump} shows it: the owner id while held, 0 once released
     * (a released paxos lease keeps its owner id but has timestamp 0).
     */
    private int ownerOfR() {
        for (String line : dump().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[0].equals("01048576") && f[2].equals("R")) {
                return Long.parseLong(f[3]) == 0 ? 0 : Integer.parseInt(f[4]);
            }
        }
        throw new AssertionError("R missing from dump:\n" + dump());
    }
}
