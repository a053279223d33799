package io.jsanlock.dist.cli;

import io.jsanlock.testkit.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Table-driven parity with sanlock 3.8.5, daemon against daemon: every row runs the same
 * command line against a lab of reference daemons and against a lab of jsanlock daemons,
 * each lab with its own copy of the lease files prepared identically ({@link Lab}), and
 * compares what comes back: exit status, stdout, stderr, and the on-disk bytes of every
 * lease file of the lab right after the command ({@link DiskImage}). A row's {@code before}
 * commands set the state up and its {@code after} commands undo it, around each run, always
 * with the reference CLI, so both labs are in the same state when the row runs.
 *
 * <p>What is masked, and why (nothing else is): the lab directory ({@code $D}: each lab has
 * its own files) and the pid of host A's holder ({@code $P}: a different process in each
 * lab); monotonic times and I/O durations in the output and on disk (each daemon writes its
 * own clock); see {@link #mask} and {@link DiskImage}. {@code log_dump} and
 * {@code renewal} are compared as noted at their checks.
 *
 * <p>{@link ClientParityDaemonTest} runs the reference CLI against both labs, so the daemon is
 * what is compared; {@link ClientParityDropInTest} runs jsanlock's CLI against the jsanlock
 * lab and compares with the reference CLI against the reference lab (the full drop-in).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClientParity {
    /** No daemon: SANLOCK_RUN_DIR points at an empty directory. */
    static final String NONE = "none";

    /**
     * One command line. {@code host} "A" or {@link #NONE}; {@code before}/{@code after}: reference
     * CLI command lines run (on host A) around each run, separated by ";". Placeholders: $F lease
     * file, $G second lockspace's file, $X rindex file, $S scratch file, $P pid of host A's holder of R.
     */
    record Row(String host, String args, String before, String after) {
        static Row a(String args) {
            return new Row("A", args, "", "");
        }

        static Row none(String args) {
            return new Row(NONE, args, "", "");
        }

        static Row undo(String args, String before, String after) {
            return new Row("A", args, before, after);
        }

        @Override
        public String toString() {
            return (host.equals(NONE) ? "[no daemon] " : "") + args;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                // what the daemon reports
                Row.a("client status"),
                Row.a("client status -o p"),
                Row.a("client status -o s"),
                Row.a("client status -D"),
                Row.a("client status -o x"),
                Row.a("client gets"),
                Row.a("client gets -h 1"),
                Row.a("client host_status"),
                Row.a("client host_status -s LS"),
                Row.a("client host_status -s LS -D"),
                Row.a("client renewal -s LS"),
                Row.a("client version"),
                Row.a("client log_dump"),
                Row.a("client inquire -p $P"),
                Row.a("client inquire -p $P -D"),
                Row.a("client read -s LS:0:$F:0 -D"),
                Row.a("client read -r LS:R:$F:1M -D"),
                Row.a("client read -r LS:R3:$F:3M -h 1"),
                Row.a("client read -r LS:R3:$F:3M -h 1 -D"),
                Row.a("client inq_lockspace -s LS:1:$F:0"),
                Row.a("client align -s LS:1:$F:0"),
                Row.a("client examine -r LS:R:$F:1M"),
                Row.a("client examine -s LS:1:$F:0"),
                Row.a("client request -r LS:R:$F:1M:0 -f 0"),
                Row.a("client lookup -x LS:$X:0"),
                Row.a("client shutdown"),
                // unknown lockspace, lease held elsewhere, wrong state
                Row.a("client host_status -s NOPE"),
                Row.a("client renewal -s NOPE"),
                Row.a("client renewal"),
                Row.a("client inq_lockspace -s NOPE:1:$F:0"),
                Row.a("client rem_lockspace -s NOPE:1:$F:0"),
                Row.a("client rem_lockspace -s LS:2:$F:0"),
                Row.a("client rem_lockspace -s LS:1:$F:1M"),
                Row.a("client add_lockspace -s LS:1:$F:0"),
                Row.a("client add_lockspace -s LS:1:$F:0 -o 1"),
                Row.a("client add_lockspace -s LS:3:$F:0"),
                Row.a("client set_config -s NOPE -u 0"),
                Row.a("client set_config -s LS"),
                Row.a("client set_event -s NOPE -i 1 -e 1 -d 1"),
                Row.a("client lookup -x LS:$X:0 -e NOPE"),
                Row.a("client create -x NOPE:$X:0 -e A"),
                Row.a("client acquire -r LS:R3:$F:3M -p $P"),
                Row.a("client acquire -r LS:R:$F:1M -p $P"),
                Row.a("client acquire -r LS:R2:$F:2M -p 999999"),
                Row.a("client acquire -r NOPE:R:$F:1M -p $P"),
                Row.a("client release -r LS:R2:$F:2M -p $P"),
                Row.a("client convert -r LS:R2:$F:2M -p $P"),
                Row.a("client inquire -p 999999"),
                Row.a("client inquire"),
                Row.a("client acquire -r LS:R2:$F:2M"),
                Row.a("client command -r LS:R3:$F:3M -c /bin/true"),
                Row.a("client command -r NOPE:R:$F:1M -c /bin/true"),
                Row.a("client shutdown -w 1"),
                Row.a("client read -r LS:R4:$F:2M"),
                // bad arguments
                Row.a("client read -r LS:R"),
                Row.a("client read -r LS"),
                Row.a("client read"),
                Row.a("client init"),
                Row.a("client request"),
                Row.a("client convert"),
                Row.a("client examine"),
                Row.a("client examine -s LS"),
                Row.a("client set_event"),
                Row.a("client add_lockspace"),
                Row.a("client format"),
                Row.a("client status foo"),
                Row.a("client status -Dx"),
                Row.a("client status -x"),
                Row.a("client status -Q 1"),
                Row.a("client foo"),
                Row.a("foo"),
                Row.a("client command -c"),
                Row.a("client acquire -r LS:R:p -p $P"),
                Row.a("client init -s LS:1:$S:0 -Z 4096 -A 3M"),
                Row.a("client init -r LS:R:$S:0 -Z 512"),
                Row.a("client format -x LS:$S:0 -Z 4096 -A 3M"),
                Row.a("client init -s LS:1:$S:0 -A 1M"),
                // no daemon
                Row.none("client status"),
                Row.none("client gets"),
                Row.none("client host_status"),
                Row.none("client renewal -s LS"),
                Row.none("client log_dump"),
                Row.none("client version"),
                Row.none("client shutdown -f 1 -w 1"),
                Row.none("client add_lockspace -s LS:1:$F:0"),
                Row.none("client inq_lockspace -s LS:1:$F:0"),
                Row.none("client inquire -p 1"),
                Row.none("client acquire -r LS:R:$F:1M -p 1"),
                Row.none("client read -s LS:1:$F:0"),
                Row.none("client init -s LS:1:$S:0"),
                Row.none("client command -r LS:R:$F:1M -c /bin/true"),
                Row.none("client lookup -x LS:$X:0"),
                Row.none("client set_event -s LS -i 1 -e 1 -d 1"),
                Row.none("client set_config -s LS -u 1"),
                Row.none("client examine -s LS:1:$F:0"),
                // state changes, undone after each run
                Row.undo("client acquire -r LS:R2:$F:2M -p $P", "", "client release -r LS:R2:$F:2M -p $P"),
                Row.undo("client acquire -r LS:R2:$F:2M:SH -p $P", "", "client release -r LS:R2:$F:2M -p $P"),
                Row.undo("client release -r LS:R2:$F:2M -p $P", "client acquire -r LS:R2:$F:2M -p $P", ""),
                Row.undo("client release -p $P -a 1", "client acquire -r LS:R2:$F:2M -p $P",
                        "client acquire -r LS:R:$F:1M -p $P"),
                Row.undo("client convert -r LS:R2:$F:2M:SH -p $P", "client acquire -r LS:R2:$F:2M -p $P",
                        "client release -r LS:R2:$F:2M -p $P"),
                Row.undo("client inquire -p $P", "client acquire -r LS:R2:$F:2M:SH -p $P",
                        "client release -r LS:R2:$F:2M -p $P"),
                Row.undo("client inquire -p $P -D", "client acquire -r LS:R2:$F:2M:SH -p $P",
                        "client release -r LS:R2:$F:2M -p $P"),
                Row.undo("client status -o p", "client acquire -r LS:R2:$F:2M:SH -p $P",
                        "client release -r LS:R2:$F:2M -p $P"),
                // a 4096/8M lockspace and lease beside the 512/1M ones: each record shows its own
                // sector/align sizes; R2, taken up again, shows its res_id kept and reused counted
                Row.undo("client status -D", "client init -s L4K:0:$S:0 -Z 4096 -A 8M -o 1;"
                        + " client init -r L4K:R4K:$S:8M -Z 4096 -A 8M; client add_lockspace -s L4K:1:$S:0 -o 1;"
                        + " client acquire -r L4K:R4K:$S:8M -p $P; client acquire -r LS:R2:$F:2M -p $P",
                        "client release -r L4K:R4K:$S:8M -p $P; client release -r LS:R2:$F:2M -p $P;"
                        + " client rem_lockspace -s L4K:1:$S:0"),
                Row.undo("client set_config -s LS -u 1", "", "client set_config -s LS -u 0"),
                Row.undo("client set_config -s LS -O 1", "", "client set_config -s LS -O 0"),
                Row.undo("client create -x LS:$X:0 -e RX", "", "client delete -x LS:$X:0 -e RX"),
                Row.undo("client lookup -x LS:$X:0 -e RX", "client create -x LS:$X:0 -e RX",
                        "client delete -x LS:$X:0 -e RX"),
                Row.undo("client delete -x LS:$X:0 -e RY", "client create -x LS:$X:0 -e RY", ""),
                Row.undo("client update -x LS:$X:0 -e RZ:5M", "", "client update -x LS:$X:0 -e RZ:5M -z 1"),
                Row.undo("client update -x LS:$X:0 -e RZ:5M -z 1", "client update -x LS:$X:0 -e RZ:5M", ""),
                Row.a("client rebuild -x LS:$X:0"),
                Row.a("direct lookup -x LS:$X:0"),
                Row.a("direct lookup -x LS:$X:0 -e NOPE"),
                Row.a("direct lookup -x LX:$X:0"),
                Row.a("direct format -x LS9:$S:4M"),
                Row.undo("direct update -x LS9:$S:4M -e A:6M", "direct format -x LS9:$S:4M", ""),
                Row.undo("direct update -x LS9:$S:4M -e A:6M -z 1", "direct format -x LS9:$S:4M; direct update -x LS9:$S:4M -e A:6M", ""),
                Row.undo("direct lookup -x LS9:$S:4M -e :6M", "direct format -x LS9:$S:4M; direct update -x LS9:$S:4M -e A:6M", ""),
                Row.undo("direct rebuild -x LS9:$S:4M", "direct format -x LS9:$S:4M; direct update -x LS9:$S:4M -e A:6M", ""),
                Row.a("client init -s LS9:0:$S:0"),
                Row.a("client init -r LS9:RS:$S:1M"),
                Row.a("client init -r LS9:RS:$S:1M -z 1"),
                Row.a("client init -r LS9:RS:$S:512"),
                Row.a("client init -s LS9:0:$S:1536"),
                Row.a("client init -s LS9:0:$S:0 -Z 4096 -A 2M"),
                Row.undo("client add_lockspace -s LS2:1:$G:0 -o 1", "", "client rem_lockspace -s LS2:1:$G:0"),
                Row.undo("client rem_lockspace -s LS2:1:$G:0", "client add_lockspace -s LS2:1:$G:0 -o 1", ""));
    }

    /** The CLI run against the jsanlock lab (the reference lab always gets the reference CLI). */
    abstract Cli cliUnderTest();

    enum Cli {
        REFERENCE(Run::sanlock), JSANLOCK(Run::jsanlock);

        private final java.util.function.BiFunction<Path, List<String>, Run.Result> run;

        Cli(java.util.function.BiFunction<Path, List<String>, Run.Result> run) {
            this.run = run;
        }
    }

    private Lab reference;
    private Lab ours;

    /** The reference lab's half of each row (see {@link #sameAnswerAndSameBytesOnDisk}). */
    private static final java.util.concurrent.ExecutorService SIDE_BY_SIDE =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /** Both labs start together (two daemons each, joined with io_timeout 1): about 5 s. */
    @BeforeAll
    void startLabs() throws IOException {
        Path dir = TempDirs.create("jsanlock-parity");
        // Own threads, not the common pool: Run.cmd reads each command's output on that pool,
        // which has a single thread on a two-core machine.
        try (var both = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Lab> ref = CompletableFuture.supplyAsync(() -> lab(dir.resolve("ref"), TestDaemon.Kind.REFERENCE), both);
            CompletableFuture<Lab> js = CompletableFuture.supplyAsync(() -> lab(dir.resolve("jsl"), TestDaemon.Kind.JSANLOCK), both);
            try {
                reference = ref.join();
            } finally {
                ours = js.join();
            }
        }
    }

    private static Lab lab(Path dir, TestDaemon.Kind kind) {
        try {
            return new Lab(Files.createDirectories(dir), kind);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    void stopLabs() {
        if (reference != null) {
            reference.close();
        }
        if (ours != null) {
            ours.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void sameAnswerAndSameBytesOnDisk(Row row) {
        // The two labs share no daemon, file or directory, and a row mostly waits (process
        // starts, the daemons' joins and rem_lockspaces in the rows that make them): each lab
        // runs the row on a thread of its own, and the row ends only when both have finished.
        CompletableFuture<Outcome> onReference = CompletableFuture.supplyAsync(() -> run(reference, Cli.REFERENCE, row),
                SIDE_BY_SIDE);
        Outcome got;
        try {
            got = run(ours, cliUnderTest(), row);
        } finally {
            onReference.exceptionally(t -> null).join();
        }
        Outcome ref;
        try {
            ref = onReference.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof Error err ? err : new AssertionError(e.getCause());
        }
        String ctx = "sanlock " + row.args() + "\n== reference lab, reference CLI: " + ref.result
                + "\n== jsanlock lab, " + cliUnderTest().name().toLowerCase() + " CLI: " + got.result;
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(ref.result.exit(), got.result.exit(), "exit status differs\n" + ctx));
        checks.add(() -> assertEquals(ref.err, got.err, "stderr differs\n" + ctx));
        if (row.args().contains("log_dump")) {
            // The log holds each daemon's own history (times, pids, thread names, the order
            // of its threads' lines): only whether a log is printed can be compared.
            checks.add(() -> assertEquals(ref.out.size() > 1, got.out.size() > 1, "log printed by one only\n" + ctx));
        } else if (row.args().contains("renewal")) {
            // The renewal history grows every 2 s on its own clock: compared as a set of
            // (masked) lines, so one more renewal on one side does not count.
            checks.add(() -> assertEquals(new TreeSet<>(ref.out), new TreeSet<>(got.out), "stdout differs\n" + ctx));
        } else {
            checks.add(() -> assertEquals(String.join("\n", ref.out), String.join("\n", got.out), "stdout differs\n" + ctx));
        }
        for (String file : ref.disk.keySet()) {
            checks.add(() -> {
                String diff = DiskImage.diff(ref.disk.get(file), got.disk.get(file));
                assertEquals("", diff, "bytes on disk differ in " + file
                        + " (offset: reference lab / jsanlock lab, masked as DiskImage explains)\n" + ctx);
            });
        }
        assertAll(checks);
    }

    /** What one run of a row gave, masked. */
    private record Outcome(Run.Result result, List<String> out, String err, java.util.Map<String, String> disk) {
    }

    private Outcome run(Lab lab, Cli cli, Row row) {
        Path runDir = row.host().equals(NONE) ? lab.noDaemon : lab.a.runDir;
        lab.resetScratchStorage();
        setup(lab, row.before());
        settle(lab);
        try {
            Run.Result r = cli.run.apply(runDir, expand(lab, row.args()));
            java.util.Map<String, String> disk = new java.util.TreeMap<>();
            for (Path f : List.of(lab.leases, lab.leases2, lab.rindex, lab.scratch)) {
                disk.put(f.getFileName().toString(), DiskImage.describe(f));
            }
            Function<String, String> m = s -> s.replace(lab.dir.toString(), "$D")
                    .replaceAll("\\b" + lab.holderPid + "\\b", "\\$P");
            return new Outcome(r, mask(m.apply(r.out())), m.apply(r.err()), disk);
        } finally {
            setup(lab, row.after());
        }
    }

    /**
     * Waits until the daemon has dropped the connections of earlier commands (an unnamed
     * {@code p -1 } slot in status), so both runs see the same client list.
     */
    private static void settle(Lab lab) {
        Run.await(3000, () -> Run.sanlock(lab.a.runDir, List.of("client", "status")).out().lines()
                .noneMatch(l -> l.equals("p -1 ")));
    }

    private static void setup(Lab lab, String commands) {
        for (String c : commands.split(";")) {
            if (!c.isBlank()) {
                Run.Result r = Run.sanlock(lab.a.runDir, expand(lab, c.strip()));
                if (r.exit() != 0) {
                    throw new AssertionError("row setup failed on the " + lab.a + ": " + c + "\n" + r);
                }
            }
        }
    }

    private static List<String> expand(Lab lab, String args) {
        List<String> out = new ArrayList<>();
        for (String a : args.split(" ")) {
            out.add(a.replace("$F", lab.leases.toString()).replace("$G", lab.leases2.toString())
                    .replace("$X", lab.rindex.toString()).replace("$S", lab.scratch.toString())
                    .replace("$P", Long.toString(lab.holderPid)));
        }
        return out;
    }

    /**
     * Lines with times masked (delta-lease timestamps, monotonic times, I/O durations: each
     * daemon's own clock) and the numbers of processes and file descriptors that are each
     * daemon's own ({@code status -D}: helper_pid, helper_kill_fd, a client's pid= and fd=).
     * Those include -1: jsanlock runs no helper process, where the reference shows its
     * helper's pid and fds (a structural difference, in the README's table of differences).
     */
    static List<String> mask(String out) {
        String m = out.replaceAll("(helper_pid|helper_kill_fd|\\bpid|\\bfd)=-?\\d+", "$1=N")
                .replaceAll("timestamp([ =])\\d+", "timestamp$1T")
                .replaceAll("(monotime|helper_last_status|last_check|last_live|last_req|renewal_last_attempt"
                        + "|renewal_last_success|acquire_last_attempt|acquire_last_success|read_ms|write_ms)=\\d+", "$1=T");
        return Arrays.asList(m.split("\n", -1));
    }
}
