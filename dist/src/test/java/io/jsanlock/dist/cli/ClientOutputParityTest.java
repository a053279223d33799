package io.jsanlock.dist.cli;

import io.jsanlock.testkit.Async;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands' stdout, stderr and exit status are the reference's byte for byte
 * (sanlock's own tests assert an empty stderr); JSANLOCK_EXPLAIN=1 adds explanations on
 * stderr without changing stdout or the exit status, against either daemon, and the
 * jsanlock daemon hands over its reason (docs/explain.md).
 */
@Tag("slow") // both daemons joined, every client command through both CLIs (~11 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class ClientOutputParityTest {
    @TempDir
    Path dir;

    private static final List<List<String>> WITHOUT_DAEMON = List.of(
            List.of("client", "status"), List.of("client", "lookup", "-x", "LS:f:0"), List.of("client", "host_status"),
            List.of("client", "gets"), List.of("client", "log_dump"), List.of("client", "shutdown"),
            List.of("client", "add_lockspace", "-s", "LS:1:f:0"), List.of("client", "inq_lockspace", "-s", "LS:1:f:0"),
            List.of("client", "rem_lockspace", "-s", "LS:1:f:0"), List.of("client", "acquire", "-r", "LS:R:f:1M"),
            List.of("client", "release", "-r", "LS:R:f:1M"), List.of("client", "inquire"),
            List.of("client", "request", "-r", "LS:R:f:1M"), List.of("client", "examine", "-r", "LS:R:f:1M"),
            List.of("client", "align", "-s", "LS:1:f:0"), List.of("client", "init", "-s", "LS:1:f:0"),
            List.of("client", "read", "-s", "LS:1:f:0"), List.of("client", "version"),
            List.of("client", "set_event", "-s", "LS"), List.of("client", "set_config", "-s", "LS"),
            List.of("client", "format", "-x", "LS:f:0"), List.of("client", "create", "-x", "LS:f:0", "-e", "X"),
            List.of("client", "renewal", "-s", "LS"), List.of("client", "command", "-r", "LS:R:f:1M", "-c", "/bin/true"),
            List.of("status"), List.of("client"), List.of("client", "bogus"), List.of("bogus"), List.of("help"),
            // an unknown letter given last: sanlock asks for its value first
            List.of("client", "status", "-q"), List.of("client", "status", "-D", "-q"), List.of("client", "add_lockspace", "-q"),
            List.of("client", "status", "-q", "1"));

    @Test
    void withoutADaemonEveryByteIsTheReferences() {
        Run.requireReference();
        Path empty = dir.resolve("no-daemon");
        for (List<String> args : WITHOUT_DAEMON) {
            Run.Result ref = run(empty, Run.SANLOCK.toString(), args, false);
            Run.Result ours = run(empty, Run.JSANLOCK.toString(), args, false);
            String ctx = String.join(" ", args) + "\n== reference: " + ref + "\n== jsanlock: " + ours;
            assertEquals(ref.out(), ours.out(), "stdout\n" + ctx);
            assertEquals(ref.err(), ours.err(), "stderr\n" + ctx);
            assertEquals(ref.exit(), ours.exit(), "exit\n" + ctx);
            Run.Result explained = run(empty, Run.JSANLOCK.toString(), args, true);
            assertEquals(ours.out(), explained.out(), "JSANLOCK_EXPLAIN changed stdout\n" + ctx);
            assertEquals(ours.exit(), explained.exit(), "JSANLOCK_EXPLAIN changed the exit status\n" + ctx);
            for (String line : explained.err().lines().toList()) {
                assertTrue(line.startsWith("jsanlock: ") || line.startsWith("execv failed"), "explanation: " + line + "\n" + ctx);
            }
        }
        Run.Result lookup = run(empty, Run.JSANLOCK.toString(), List.of("client", "lookup", "-x", "LS:f:0"), true);
        assertTrue(lookup.err().contains("no sanlock daemon: " + empty.resolve("sanlock.sock") + " does not exist"), lookup.toString());
    }

    @Test
    void explanationsNeverDisturbEitherDaemonsAnswerAndJsanlocksGivesItsReason() throws IOException {
        Path refRun = dir.resolve("ref");
        Path ourRun = dir.resolve("ours");
        Files.createDirectories(refRun);
        Files.createDirectories(ourRun);
        Run.Result[] quiet = new Run.Result[2];
        Run.Result[] explained = new Run.Result[2];
        int i = 0;
        for (TestDaemon.Kind kind : TestDaemon.Kind.values()) {
            Path run = kind == TestDaemon.Kind.REFERENCE ? refRun : ourRun;
            Path leases = run.resolve("leases");
            try (var ch = java.nio.channels.FileChannel.open(leases, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[1]), (2 << 20) - 1);
            }
            assertEquals(0, Run.sanlock(null, List.of("direct", "init", "-r", "LS:R:" + leases + ":1048576")).exit());
            try (TestDaemon d = TestDaemon.start(kind, run, "explain" + i)) {
                List<String> args = List.of("client", "read", "-r", "LS:X:" + leases + ":1048576");
                quiet[i] = run(run, Run.JSANLOCK.toString(), args, false);
                explained[i] = run(run, Run.JSANLOCK.toString(), args, true);
                // The same request through the reference CLI: the answer did not change.
                Run.Result ref = run(run, Run.SANLOCK.toString(), args, false);
                assertEquals(ref.out(), quiet[i].out(), kind + " " + quiet[i]);
                assertEquals(ref.err(), quiet[i].err(), kind + " " + quiet[i]);
                assertEquals(ref.exit(), quiet[i].exit(), kind + " " + quiet[i]);
            }
            i++;
        }
        assertEquals(quiet[0].out(), quiet[1].out(), "the two daemons answer alike");
        assertEquals("read error -227\n", quiet[0].out());
        for (int k = 0; k < 2; k++) {
            assertEquals("", quiet[k].err());
            assertEquals(quiet[k].out(), explained[k].out());
            assertEquals(quiet[k].exit(), explained[k].exit());
        }
        assertEquals("jsanlock: read failed: the daemon answered -227 (SANLK_LEADER_RESOURCE: the lease belongs to another resource)\n",
                explained[0].err(), "against the reference daemon: what the CLI knows");
        assertTrue(explained[1].err().startsWith("jsanlock: read: ") && explained[1].err().contains("X"),
                "against the jsanlock daemon: its reason\n" + explained[1]);
    }

    private static Run.Result run(Path runDir, String program, List<String> args, boolean explain) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(runDir.getParent().toFile());
        pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        pb.environment().remove("JSANLOCK_EXPLAIN");
        if (explain) {
            pb.environment().put("JSANLOCK_EXPLAIN", "1");
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Async.executor());
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Async.executor());
            if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Run.Result(p.exitValue(), out.get(), err.get());
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
