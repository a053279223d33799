package io.jsanlock.dist.cli;

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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Table-driven parity of {@code bin/jsanlock} with the reference {@code sanlock} CLI: each
 * row runs the same command line with both, against the same daemon and the same lease
 * state (a row's {@code before} commands set the state up and its {@code after} commands
 * undo it, around each of the two runs, always with the reference CLI). stdout is compared
 * line by line with only timestamps/durations masked, and the exit statuses must be equal.
 * Failing cases are rows like any other: no daemon, unknown lockspace, -243 from the other
 * host, bad arguments.
 *
 * <p>Abstract over the daemon: {@link ClientParityReferenceDaemonTest} runs the table against
 * sanlock's daemon; the jsanlock daemon gets its own subclass when it lands.
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
                Row.a("client init -s LS9:0:$S:0 -Z 4096 -A 2M"),
                Row.undo("client add_lockspace -s LS2:1:$G:0 -o 1", "", "client rem_lockspace -s LS2:1:$G:0"),
                Row.undo("client rem_lockspace -s LS2:1:$G:0", "client add_lockspace -s LS2:1:$G:0 -o 1", ""));
    }

    abstract TestDaemon.Kind kind();

    /**
     * Rows (by their command line) whose output is known to differ on this daemon, with the
     * reason. They are still run and must still differ: once the daemon is fixed the row
     * fails here, and is to be removed from the list.
     */
    java.util.Map<String, String> knownGaps() {
        return java.util.Map.of();
    }

    private Lab lab;
    private Path dir;

    @BeforeAll
    void startHosts() throws IOException {
        dir = Files.createTempDirectory("jsanlock-parity");
        lab = new Lab(dir, kind());
    }

    @AfterAll
    void stopHosts() {
        if (lab != null) {
            lab.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void sameOutputAndExitStatus(Row row) {
        String gap = knownGaps().get(row.args());
        if (gap != null) {
            org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> compare(row),
                    "known gap of the " + kind() + " daemon (" + gap + ") is fixed: remove it from knownGaps");
            return;
        }
        compare(row);
    }

    private void compare(Row row) {
        Path runDir = row.host().equals(NONE) ? lab.noDaemon : lab.a.runDir;
        List<String> args = expand(row.args());
        Run.Result ref = runBetween(row, () -> Run.sanlock(runDir, args));
        Run.Result ours = runBetween(row, () -> Run.jsanlock(runDir, args));
        String ctx = "sanlock " + String.join(" ", args) + "\n== reference: " + ref + "\n== jsanlock: " + ours;
        assertEquals(ref.exit(), ours.exit(), "exit status differs\n" + ctx);
        if (args.contains("log_dump")) {
            // The daemon's log grows between the two runs: both print it (or nothing alike).
            assertEquals(ref.out().isEmpty(), ours.out().isEmpty(), ctx);
            return;
        }
        if (args.contains("renewal")) {
            // A renewal may be added to the history between the two runs.
            assertEquals(new TreeSet<>(mask(ref.out())), new TreeSet<>(mask(ours.out())), ctx);
            return;
        }
        assertEquals(mask(ref.out()), mask(ours.out()), "stdout differs\n" + ctx);
        assertFalse(ours.err().contains("Exception"), "stack trace on stderr\n" + ctx);
    }

    private Run.Result runBetween(Row row, java.util.function.Supplier<Run.Result> run) {
        setup(row.before());
        settle();
        try {
            return run.get();
        } finally {
            setup(row.after());
        }
    }

    /**
     * Waits until the daemon has dropped the connections of earlier commands (an unnamed
     * {@code p -1 } slot in status), so both runs see the same client list.
     */
    private void settle() {
        Run.await(3000, () -> Run.sanlock(lab.a.runDir, List.of("client", "status")).out().lines()
                .noneMatch(l -> l.equals("p -1 ")));
    }

    private void setup(String commands) {
        for (String c : commands.split(";")) {
            if (!c.isBlank()) {
                Run.Result r = Run.sanlock(lab.a.runDir, expand(c.strip()));
                if (r.exit() != 0) {
                    throw new AssertionError("row setup failed: " + c + "\n" + r);
                }
            }
        }
    }

    private List<String> expand(String args) {
        List<String> out = new ArrayList<>();
        for (String a : args.split(" ")) {
            out.add(a.replace("$F", lab.leases.toString()).replace("$G", lab.leases2.toString())
                    .replace("$X", lab.rindex.toString()).replace("$S", lab.scratch.toString())
                    .replace("$P", Long.toString(lab.holderPid)));
        }
        return out;
    }

    /** Lines with times masked: delta-lease timestamps, monotonic times, I/O durations. */
    static List<String> mask(String out) {
        String m = out.replaceAll("timestamp([ =])\\d+", "timestamp$1T")
                .replaceAll("(monotime|helper_last_status|last_check|last_live|last_req|renewal_last_attempt"
                        + "|renewal_last_success|acquire_last_attempt|acquire_last_success|read_ms|write_ms)=\\d+", "$1=T");
        return Arrays.asList(m.split("\n", -1));
    }
}
