package io.jsanlock.dist.cli;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.testkit.Async;
import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code jsanlock direct map} and {@code --json} on a lockspace shared by a jsanlock host
 * (host 1, "hostA", our daemon) and a reference host (host 2, "hostB", sanlock 3.8.5), io_timeout 1.
 * Host B joins, leaves and joins again so the two generations differ (A 1, B 2). Lease file:
 * LS at 0; RA at 1 MiB held EX by A's holder, RB at 2 MiB EX by B's, RS at 3 MiB SH by both,
 * RF at 4 MiB never acquired. What map reports is checked against sanlock's own views of the
 * same storage in the same test: {@code sanlock direct dump} (owners, generations, lver, SH
 * mode blocks, host names) and {@code sanlock client host_status -D} / {@code client status}
 * from the reference daemon. Every --json output, from both daemons and from the lease file,
 * is validated against docs/schema/jsanlock-output.schema.json.
 */
@org.junit.jupiter.api.Tag("slow") // a whole-system run (~18 s on a loaded 2-core machine): failsafe, not the fast loop
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterMapMixedHostsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dir;
    private Path leases;
    private TestDaemon a;
    private TestDaemon b;
    private final List<Process> holders = new ArrayList<>();
    private long holderA;
    private long holderB;
    private Schema schema;

    @BeforeAll
    void cluster() throws IOException {
        Run.requireReference();
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Run.REPO.resolve("docs/schema/jsanlock-output.schema.json")), InputFormat.JSON);
        dir = TempDirs.create("jsanlock-map");
        leases = dir.resolve("leases");
        try (RandomAccessFile raf = new RandomAccessFile(leases.toFile(), "rw")) {
            raf.setLength(6L << 20);
        }
        Lab.check(Run.sanlock(null, List.of("direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1")));
        String[] names = {"RA", "RB", "RS", "RF"};
        for (int i = 0; i < names.length; i++) {
            Lab.check(Run.sanlock(null, List.of("direct", "init", "-r", res(names[i], i + 1))));
        }
        a = TestDaemon.start(TestDaemon.Kind.JSANLOCK, dir.resolve("runA"), "hostA");
        b = TestDaemon.start(TestDaemon.Kind.REFERENCE, dir.resolve("runB"), "hostB");
        CompletableFuture<Run.Result> joinA = CompletableFuture.supplyAsync(() ->
                Run.sanlock(a.runDir, List.of("client", "add_lockspace", "-s", "LS:1:" + leases + ":0", "-o", "1")), Async.executor());
        String lsB = "LS:2:" + leases + ":0";
        Lab.check(Run.sanlock(b.runDir, List.of("client", "add_lockspace", "-s", lsB, "-o", "1")));
        Lab.check(Run.sanlock(b.runDir, List.of("client", "rem_lockspace", "-s", lsB)));
        Lab.check(Run.sanlock(b.runDir, List.of("client", "add_lockspace", "-s", lsB, "-o", "1")));
        Lab.check(joinA.join());
        holderA = hold(a.runDir, res("RA", 1), res("RS", 3) + ":SH");
        holderB = hold(b.runDir, res("RB", 2), res("RS", 3) + ":SH");
    }

    @AfterAll
    void stop() throws IOException {
        for (Process p : holders) {
            p.destroyForcibly();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String res(String name, int mib) {
        return "LS:" + name + ":" + leases + ":" + mib + "M";
    }

    /** {@code sanlock client command -r … -c /bin/sleep 600} on that host; waits until it holds every lease. */
    private long hold(Path runDir, String... resources) {
        List<String> cmd = new ArrayList<>(List.of(Run.SANLOCK.toString(), "client", "command"));
        for (String r : resources) {
            cmd.add("-r");
            cmd.add(r);
        }
        cmd.addAll(List.of("-c", "/bin/sleep", "600"));
        Process p = Run.start(runDir, cmd);
        holders.add(p);
        boolean held = Run.await(30_000, () -> {
            String status = Run.sanlock(runDir, List.of("client", "status")).out();
            for (String r : resources) {
                if (!status.contains("r LS:" + r.split(":")[1] + ":")) {
                    return false;
                }
            }
            return true;
        });
        assertThat(held).as("holder on %s got %s", runDir, List.of(resources)).isTrue();
        return p.pid();
    }

    private List<String> mapArgs(String... extra) {
        List<String> args = new ArrayList<>(List.of("direct", "map", "-s", "LS:0:" + leases + ":0"));
        String[] names = {"RA", "RB", "RS", "RF"};
        for (int i = 0; i < names.length; i++) {
            args.add("-r");
            args.add(res(names[i], i + 1));
        }
        args.addAll(List.of(extra));
        return args;
    }

    private JsonNode valid(Run.Result r) {
        assertThat(r.err()).as("stderr of %s", r).isEmpty();
        List<Error> errors = schema.validate(r.out(), InputFormat.JSON);
        assertThat(errors).as("schema errors of %s", r.out()).isEmpty();
        return JSON.readTree(r.out());
    }

    /** Rows of {@code sanlock direct dump}: the delta rows by host id, the paxos rows by name with their SH lines. */
    private record DumpView(Map<Long, String[]> hosts, Map<String, String[]> resources, Map<String, Set<String>> shared) {
    }

    private DumpView sanlockDump() {
        Run.Result r = Run.sanlock(null, List.of("direct", "dump", leases.toString()));
        assertThat(r.exit()).as(r.toString()).isZero();
        Map<Long, String[]> hosts = new HashMap<>();
        Map<String, String[]> resources = new HashMap<>();
        Map<String, Set<String>> shared = new HashMap<>();
        String last = null;
        for (String line : r.out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (line.startsWith("  offset")) {
                continue;
            }
            if (f.length == 3 && f[2].equals("SH")) {
                shared.computeIfAbsent(last, k -> new HashSet<>()).add(Long.parseLong(f[0]) + ":" + Long.parseLong(f[1]));
            } else if (f.length == 6) {
                hosts.put(Long.parseLong(f[4]), f);
            } else if (f.length == 7) {
                last = f[2];
                resources.put(last, f);
            }
        }
        return new DumpView(hosts, resources, shared);
    }

    @Test
    void mapShowsBothHostsLeasesAsSanlockDumpAndTheReferenceDaemonSeeThem() {
        JsonNode map = valid(Run.jsanlock(null, mapArgs("--json")));
        DumpView dump = sanlockDump();
        String hostStatus = Run.sanlock(b.runDir, List.of("client", "host_status", "-s", "LS", "-D")).out();

        Map<Long, JsonNode> hosts = new HashMap<>();
        for (JsonNode h : map.get("hosts")) {
            hosts.put(h.get("host_id").asLong(), h);
        }
        assertThat(hosts).containsOnlyKeys(1L, 2L);
        for (long id : List.of(1L, 2L)) {
            JsonNode h = hosts.get(id);
            String[] row = dump.hosts().get(id);
            assertThat(h.get("name").asString()).isEqualTo(row[2]).isEqualTo(id == 1 ? "hostA" : "hostB");
            assertThat(h.get("generation").asLong()).isEqualTo(Long.parseLong(row[5]));
            // The reference daemon's table (host_status -D) agrees on owner, generation and name.
            Matcher m = Pattern.compile("(?m)^" + id + " timestamp \\d+\\n(?:    .*\\n)*?    owner_generation=(\\d+)\\n"
                    + "(?:    .*\\n)*?    owner_name=(\\S+)").matcher(hostStatus);
            assertThat(m.find()).as(hostStatus).isTrue();
            assertThat(h.get("generation").asLong()).isEqualTo(Long.parseLong(m.group(1)));
            assertThat(h.get("name").asString()).isEqualTo(m.group(2));
            // Both hosts renew every 2 s: the default window (2N+2 = 4 s) sees them move.
            assertThat(h.get("state").asString()).as("host %d", id).isEqualTo("live");
            assertThat(h.get("seen_changing").asBoolean()).isTrue();
        }
        assertThat(hosts.get(1L).get("generation").asLong()).isEqualTo(1);
        assertThat(hosts.get(2L).get("generation").asLong()).isEqualTo(2);

        Map<String, JsonNode> res = new HashMap<>();
        for (JsonNode r : map.get("resources")) {
            res.put(r.get("name").asString(), r);
        }
        assertThat(res).containsOnlyKeys("RA", "RB", "RS", "RF");
        for (String name : List.of("RA", "RB", "RS", "RF")) {
            String[] row = dump.resources().get(name);
            JsonNode r = res.get(name);
            assertThat(r.has("error")).as(name).isFalse();
            assertThat(r.get("lver").asLong()).as(name + " lver").isEqualTo(Long.parseLong(row[6]));
            assertThat(r.get("owner_id").asLong()).as(name + " owner").isEqualTo(Long.parseLong(row[4]));
            assertThat(r.get("owner_generation").asLong()).as(name + " gen").isEqualTo(Long.parseLong(row[5]));
        }
        assertThat(holders(res.get("RA"))).containsExactly("1:1:EX:live:hostA");
        assertThat(holders(res.get("RB"))).containsExactly("2:2:EX:live:hostB");
        assertThat(holders(res.get("RS"))).containsExactlyInAnyOrder("1:1:SH:live:hostA", "2:2:SH:live:hostB");
        assertThat(holders(res.get("RF"))).isEmpty();
        // SH holders are the mode blocks sanlock's dump prints.
        assertThat(dump.shared().get("RS")).containsExactlyInAnyOrder("1:1", "2:2");
        assertThat(dump.shared()).doesNotContainKeys("RA", "RB", "RF");
        // The lver each host's daemon holds is the one on disk.
        assertThat(Run.sanlock(a.runDir, List.of("client", "status")).out())
                .contains("r LS:RA:" + leases + ":1048576:" + res.get("RA").get("lver").asLong() + " p " + holderA);
        assertThat(Run.sanlock(b.runDir, List.of("client", "status")).out())
                .contains("r LS:RB:" + leases + ":2097152:" + res.get("RB").get("lver").asLong() + " p " + holderB);
    }

    private static List<String> holders(JsonNode r) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : r.get("holders")) {
            out.add(h.get("host_id").asLong() + ":" + h.get("generation").asLong() + ":" + h.get("mode").asString() + ":"
                    + h.get("state").asString() + ":" + h.get("host_name").asString());
        }
        return out;
    }

    @Test
    void mapTextListsEveryHolderWithItsHostName() {
        Run.Result r = Run.jsanlock(null, mapArgs());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        String out = r.out();
        assertThat(out).containsPattern("(?m)^0001 0001 \\d{10}   1 live +\\d+\\.\\d hostA$")
                .containsPattern("(?m)^0002 0002 \\d{10}   1 live +\\d+\\.\\d hostB$")
                .containsPattern("(?m)^01048576 +RA 0001 0001 0001 EX   live    hostA$")
                .containsPattern("(?m)^02097152 +RB 0001 0002 0002 EX   live    hostB$")
                .containsPattern("(?m)^03145728 +RS \\d{4} 0001 0001 SH   live    hostA\\n {63}0002 0002 SH   live    hostB$")
                .containsPattern("(?m)^04194304 +RF 0000    -    - -    free$");
    }

    @Test
    void mapWithoutWatchingCannotCallAnyHostLive() {
        JsonNode map = valid(Run.jsanlock(null, mapArgs("-W", "0", "--json")));
        assertThat(map.get("observation").get("reads").asInt()).isEqualTo(1);
        for (JsonNode h : map.get("hosts")) {
            assertThat(h.get("state").asString()).isEqualTo("unknown");
        }
    }

    @Test
    void jsonOfEveryCommandFromBothDaemonsValidatesAgainstTheSchema() {
        for (TestDaemon d : List.of(a, b)) {
            long holder = d == a ? holderA : holderB;
            JsonNode status = valid(Run.jsanlock(d.runDir, List.of("client", "status", "--json")));
            assertThat(status.get("lockspaces").get(0).get("name").asString()).isEqualTo("LS");
            assertThat(status.get("resources")).hasSize(2);
            valid(Run.jsanlock(d.runDir, List.of("client", "status", "-D", "--json")));
            valid(Run.jsanlock(d.runDir, List.of("client", "status", "-o", "p", "--json")));
            JsonNode hs = valid(Run.jsanlock(d.runDir, List.of("client", "host_status", "--json")));
            assertThat(hs.get("lockspaces").get(0).get("hosts")).hasSize(2);
            valid(Run.jsanlock(d.runDir, List.of("client", "host_status", "-s", "LS", "-D", "--json")));
            JsonNode gets = valid(Run.jsanlock(d.runDir, List.of("client", "gets", "-h", "1", "--json")));
            assertThat(gets.get("lockspaces").get(0).get("hosts")).hasSize(2);
            JsonNode inq = valid(Run.jsanlock(d.runDir, List.of("client", "inquire", "-p", Long.toString(holder), "--json")));
            assertThat(inq.get("count").asInt()).isEqualTo(2);
            assertThat(inq.get("resources")).hasSize(2);
            Run.Result notRegistered = Run.jsanlock(d.runDir, List.of("client", "inquire", "-p", "1", "--json"));
            assertThat(notRegistered.exit()).isEqualTo(1);
            assertThat(valid(notRegistered).get("error").get("code").asInt()).isNegative();
        }
        Run.Result noDaemon = Run.jsanlock(dir.resolve("nodaemon"), List.of("client", "status", "--json"));
        assertThat(noDaemon.exit()).isEqualTo(1);
        valid(noDaemon);
        for (String f : List.of("0", "1", "2")) {
            JsonNode dump = valid(Run.jsanlock(null, List.of("direct", "dump", leases.toString(), "-f", f, "--json")));
            assertThat(dump.get("areas")).hasSize(5);
        }
        valid(Run.jsanlock(null, mapArgs("--json")));
    }

    @Test
    void jsonKeepsNamesThatAreNotUtf8AsHex() throws IOException {
        Path file = dir.resolve("latin1");
        Geometry g = Geometry.S512_A1M;
        ByteBuffer area = ByteBuffer.allocate(g.alignSize());
        // resource name bytes 'R', 0xFF: not UTF-8
        Leader.newPaxosLeader(g, "LS", "R\u00ff", 2000).encode(area, 0);
        Files.write(file, area.array());
        JsonNode dump = valid(Run.jsanlock(null, List.of("direct", "dump", file.toString(), "--json")));
        JsonNode r = dump.get("areas").get(0);
        assertThat(r.get("resource").asString()).isEqualTo("R\ufffd");
        assertThat(r.get("resource_hex").asString()).isEqualTo("52ff");
        assertThat(r.has("lockspace_hex")).isFalse();
    }

    @Test
    void textWithoutJsonStaysSanlocks() {
        Run.Result ours = Run.jsanlock(null, List.of("direct", "dump", leases.toString(), "-f", "1"));
        Run.Result theirs = Run.sanlock(null, List.of("direct", "dump", leases.toString(), "-f", "1"));
        // timestamps move between the two runs: compare everything else
        assertThat(ours.out().replaceAll(" \\d{10} ", " T ")).isEqualTo(theirs.out().replaceAll(" \\d{10} ", " T "));
        assertThat(ours.exit()).isEqualTo(theirs.exit());
        // --json is jsanlock's: sanlock's parser refuses it, and so do the actions without JSON
        Run.Result refusedOurs = Run.jsanlock(b.runDir, List.of("client", "renewal", "-s", "LS", "--json"));
        Run.Result refusedTheirs = Run.sanlock(b.runDir, List.of("client", "renewal", "-s", "LS", "--json"));
        assertThat(refusedOurs).isEqualTo(refusedTheirs);
    }
}
