package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Leader;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resource-index commands of the jsanlock daemon against sanlock's daemon: two
 * separate worlds (one daemon each, its own lockspace file and index files, same layout),
 * the same sequence of {@code sanlock client} commands (the reference CLI) run against
 * both, with the outputs and then the index areas and the leases they describe compared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(150)
// the second lane (TestLanes): side by side with the module's other classes, one such class at a time
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestLanes.REFERENCE_PARITY)
class RindexDaemonReferenceTest {
    static final long MiB = 1048576L;
    static final Path SANLOCK = Path.of("/usr/sbin/sanlock");

    /** One host: a daemon with its run dir and the files its commands use. */
    record World(Path dir, Path run) {
        Path file(String name) {
            return dir.resolve(name);
        }
    }

    Path tmp;
    World jw;
    World rw;
    Daemon jd;
    long refPid;

    record Result(int exit, String out) {}

    static Result run(Path runDir, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(SANLOCK.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sanlock " + args + " did not finish");
        return new Result(p.exitValue(), out);
    }

    /** Runs one command line in a world: {@code $D} stands for the world's directory. */
    static Result in(World w, String line) throws Exception {
        List<String> args = new ArrayList<>();
        for (String a : line.split(" ")) {
            args.add(a.equals("''") ? "" : a.replace("$D", w.dir().toString()));
        }
        return run(w.run(), args);
    }

    World world(String name) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of("ls", "rx", "junk", "full")) {
            Files.write(d.resolve(f), new byte[(int) (16 * MiB)]);
        }
        assertEquals(0, run(null, List.of("direct", "init", "-s", "LS:0:" + d.resolve("ls") + ":0", "-o", "1")).exit());
        return new World(d, d.resolve("run"));
    }

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isExecutable(SANLOCK), "reference sanlock missing at " + SANLOCK);
        tmp = TempDirs.create("jsanlock-rindex");
        jw = world("j");
        rw = world("r");

        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostJ").withRunDir(jw.run());
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        jd = new Daemon(o, new EngineBackend(LeaseEngine.builder("hostJ").build(), log), log, MonotonicClock.SYSTEM);
        jd.start();

        refPid = Reference.startDaemon(rw.run(), "hostR");
    }

    @AfterAll
    void stop() throws Exception {
        if (jd != null) {
            jd.shutdown();
        }
        if (refPid != 0) {
            Reference.kill(refPid);
        }
        if (tmp != null) {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Runs {@code line} in both worlds; the outputs (and exit codes) must be the same. Returns the output. */
    String same(String line) throws Exception {
        Result r = in(rw, line);
        Result j = in(jw, line);
        assertEquals(r.out() + "exit " + r.exit(), j.out() + "exit " + j.exit(), "sanlock " + line);
        return r.out();
    }

    static byte[] bytes(Path f, long off, int len) throws Exception {
        byte[] all = Files.readAllBytes(f);
        return Arrays.copyOfRange(all, (int) off, (int) off + len);
    }

    static Leader leader(Path f, long off) throws Exception {
        return Leader.decode(ByteBuffer.wrap(bytes(f, off, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
    }

    static final String X = "LS:$D/rx:0";

    @Test
    @Order(1)
    void sameResultsAndSameIndexAsTheReference() throws Exception {
        // lockspace not joined: only format works
        assertThat(same("client format -x " + X)).isEqualTo("format done 0\n");
        for (String line : List.of("client lookup -x " + X, "client create -x " + X + " -e A", "client rebuild -x " + X,
                "client update -x " + X + " -e A:2M", "client delete -x " + X + " -e A")) {
            assertThat(same(line)).endsWith(" done -2\n");
        }
        same("client add_lockspace -s LS:1:$D/ls:0 -o 1");

        // create, lookup
        assertThat(same("client lookup -x " + X)).isEqualTo("lookup done 0\nname - offset 2097152\n");
        assertThat(same("client create -x " + X + " -e A")).isEqualTo("create_resource done 0\noffset 2097152\n");
        same("client create -x " + X + " -e B");
        assertThat(same("client create -x " + X + " -e A")).isEqualTo("create_resource done 0\noffset 4194304\n");
        for (String e : List.of("", " -e A", " -e B:3M", " -e B:2M", " -e :3M", " -e :5M", " -e NOPE", " -e A:0",
                " -e A:2500000", " -e NOPE:2500000", " -e B:13M", " -e NOPE:3M", " -e NOPE:1M", " -e A:1M", " -e :1M",
                " -e :4098M", " -e :8000M", " -e :512K", " -e NOPE:4098M")) {
            same("client lookup -x " + X + e);
        }
        assertThat(same("client lookup -x " + X + " -e B:2M")).isEqualTo("lookup done -278\n");

        // delete: by name, an offset given only has to be one of the index's
        assertThat(same("client delete -x " + X + " -e A")).isEqualTo("delete_resource done 0\n");
        same("client delete -x " + X + " -e A");
        same("client lookup -x " + X);
        same("client delete -x " + X + " -e B:2M");
        Leader cleared = leader(jw.file("rx"), 3 * MiB);
        assertEquals(DiskFormat.PAXOS_DISK_CLEAR, cleared.magic(), "B's lease is cleared");
        assertEquals("B", cleared.resourceName());
        assertEquals(DiskFormat.PAXOS_DISK_CLEAR, leader(rw.file("rx"), 3 * MiB).magic());
        same("client delete -x " + X + " -e B:3M");
        same("client delete -x " + X + " -e NOPE");
        same("client delete -x " + X + " -e NOPE:1M");
        same("client delete -x " + X + " -e NOPE:4098M");
        same("client delete -x " + X + " -e NOPE:512K");
        assertThat(same("client delete -x " + X + " -e C:2500000")).isEqualTo("delete_resource done -277\n");
        same("client delete -x " + X);
        same("client create -x " + X + " -e C");
        same("client create -x " + X + " -e ''");
        same("client create -x " + X + " -e W -m 10 -n 5");

        // update: no lease, no name check on removal
        for (String e : List.of("RZ:5M", "RZ:5M", "RQ:5M", "RZ:5M -z 1", "RZ:5M -z 1", "RZ:5000000", "RZ:0", "RZ", ":6M",
                ":6M -z 1", "RZ -z 1", "RZ:2500000 -z 1", "RY:7M", "NOTRY:7M -z 1", "RX:8M",
                // slots the reference reaches although no entry is there: the header sector's
                // tail (the rindex_lease's offset) and past max_resources
                "RH:1M", "RM:4098M", "RM:8000M", "RM:4100M", "RM:4100M -z 1")) {
            same("client update -x " + X + " -e " + e);
        }
        same("client lookup -x " + X + " -e RX");
        same("client lookup -x " + X + " -e :7M");
        same("client lookup -x " + X + " -e :1M");
        same("client lookup -x " + X + " -e RH:1M");
        same("client lookup -x " + X + " -e RM");
        same("client lookup -x " + X + " -e :4098M");

        // rebuild: any paxos leader counts, whatever its lockspace
        assertEquals(0, in(jw, "direct init -r LS:V:$D/rx:11M").exit());
        assertEquals(0, in(rw, "direct init -r LS:V:$D/rx:11M").exit());
        assertEquals(0, in(jw, "direct init -r OTHER:V2:$D/rx:12M").exit());
        assertEquals(0, in(rw, "direct init -r OTHER:V2:$D/rx:12M").exit());
        assertThat(same("client rebuild -x " + X)).isEqualTo("rebuild done 0\n");
        same("client lookup -x " + X + " -e V2");
        same("client lookup -x " + X + " -e RX");

        // the index area is the same byte for byte
        assertArrayEquals(bytes(rw.file("rx"), 0, (int) MiB), bytes(jw.file("rx"), 0, (int) MiB), "rindex area");
        // the leases it describes: created (magic, names, sizes) and cleared (clear magic, name kept)
        for (long off = 2 * MiB; off < 13 * MiB; off += MiB) {
            Leader r = leader(rw.file("rx"), off);
            Leader j = leader(jw.file("rx"), off);
            assertEquals(Integer.toHexString(r.magic()), Integer.toHexString(j.magic()), "magic at " + off);
            assertEquals(r.spaceName() + ":" + r.resourceName() + " " + r.numHosts() + "/" + r.maxHosts(),
                    j.spaceName() + ":" + j.resourceName() + " " + j.numHosts() + "/" + j.maxHosts(), "lease at " + off);
        }
        // rindex_lease: taken once per create and delete and rebuild, released (timestamp 0)
        Leader rl = leader(rw.file("rx"), MiB);
        Leader jl = leader(jw.file("rx"), MiB);
        assertEquals(rl.lver(), jl.lver(), "rindex_lease lver");
        assertEquals(0, jl.timestamp());
        assertEquals(1, jl.ownerId());
    }

    @Test
    @Order(2)
    void badInputGetsTheReferenceCodes() throws Exception {
        same("client add_lockspace -s LS:1:$D/ls:0 -o 1");
        for (String f : List.of("LS:$D/rx:1M", "LS:$D/rx:512", "LS:$D/ls:0", "LS:$D/junk:0", "LS:$D/nofile:0", "NOPE:$D/rx:0")) {
            same("client lookup -x " + f);
            same("client lookup -x " + f + " -e A");
            same("client create -x " + f + " -e A");
            same("client delete -x " + f + " -e A:2500000");
            same("client update -x " + f + " -e A:2M");
            same("client update -x " + f + " -e A");
            same("client rebuild -x " + f);
        }
        byte[] junkBefore = Files.readAllBytes(jw.file("junk"));
        assertTrue(Arrays.equals(new byte[junkBefore.length], junkBefore), "nothing written to a file that is not an rindex");
        same("client format -x LS:$D/nofile:0");
        same("client format -x LS:$D/junk:100");
        same("client format -x LS:$D/junk:512");
        same("client format -x NOPE:$D/junk:8M");
        same("client format -x LS:$D/junk:4M -Z 4096 -A 8M");
        // the same bytes, except the padding after the 20-byte request record of each internal
        // lease, where the reference leaves stack garbage (ondisk.md 2.4)
        byte[] r = bytes(rw.file("junk"), 0, (int) (16 * MiB));
        byte[] j = bytes(jw.file("junk"), 0, (int) (16 * MiB));
        for (long request : List.of(512 + MiB + 512, 9 * MiB + 512, 12 * MiB + 4096)) {
            Arrays.fill(r, (int) request + 20, (int) request + 512, (byte) 0);
            Arrays.fill(j, (int) request + 20, (int) request + 512, (byte) 0);
        }
        assertArrayEquals(r, j, "formatted areas");
        same("client lookup -x LS:$D/junk:8M");
        same("client create -x LS:$D/junk:8M -e A");
        same("client lookup -x LS:$D/junk:4M");

        // a full index: lookup and create find no free entry
        same("client format -x LS:$D/full:0");
        for (World w : List.of(jw, rw)) {
            ByteBuffer entries = ByteBuffer.allocate(4096 * 64).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 4096; i++) {
                entries.putLong(i * 64, (2L + i) * MiB);
                entries.put(i * 64 + 16, ("F" + i).getBytes(StandardCharsets.US_ASCII));
            }
            try (var ch = java.nio.channels.FileChannel.open(w.file("full"), java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(entries, 512);
            }
        }
        assertThat(same("client lookup -x LS:$D/full:0")).isEqualTo("lookup done -2\n");
        assertThat(same("client create -x LS:$D/full:0 -e Z")).isEqualTo("create_resource done -2\n");
        // Not past entry 2045: from (2+i)·align ≥ 2 GiB the reference reports the lease offset
        // computed in a signed 32-bit int (F4093 → 18446744073708503040), jsanlock the real one.
        assertThat(same("client lookup -x LS:$D/full:0 -e F2040")).isEqualTo("lookup done 0\nname F2040 offset 2141192192\n");
    }

    @Test
    @Order(3)
    void repliesCarryTheSameEntries() throws Exception {
        List<List<String>> got = new ArrayList<>();
        for (World w : List.of(rw, jw)) {
            SanlockClient c = new SanlockClient(w.run());
            ResourceIndex rx = new ResourceIndex(0, 0, "LS", new Disk(w.file("rx").toString(), 0));
            List<String> replies = new ArrayList<>();
            replies.add("" + c.updateRindex(rx, new ResourceEntry("UU", 9 * MiB, 0), CommandFlags.RXUP_ADD));
            replies.add("" + c.updateRindex(rx, new ResourceEntry("XX", 9 * MiB, 0), CommandFlags.RXUP_REM));
            replies.add("" + c.createResource(rx, "PP", 0, 0));
            replies.add("" + c.lookupRindex(rx, new ResourceEntry("PP", 0, 0), false));
            replies.add("" + c.deleteResource(rx, new ResourceEntry("PP", 0, 0)));
            replies.add("" + c.lookupRindex(rx, ResourceEntry.EMPTY, false));
            replies.add("" + c.lookupRindex(rx, new ResourceEntry("", 11 * MiB, 0), false));
            replies.add("" + c.lookupRindex(rx, new ResourceEntry("", 11 * MiB, 0), true));
            replies.add("" + assertThrows(SanlockException.class, () -> c.lookupRindex(rx, new ResourceEntry("NOPE", 0, 0), false))
                    .code());
            got.add(replies);
        }
        assertEquals(got.get(0), got.get(1));
        assertThat(got.get(1).get(0)).contains("UU").contains("" + 9 * MiB);
    }

    @Test
    @Order(4)
    void fourKSectorIndexInA512Lockspace() throws Exception {
        same("client add_lockspace -s LS:1:$D/ls:0 -o 1");
        for (World w : List.of(jw, rw)) {
            try (var f = new java.io.RandomAccessFile(w.file("big").toFile(), "rw")) {
                f.setLength(64 * MiB);
            }
        }
        String x = "LS:$D/big:0";
        same("client format -x " + x + " -Z 4096 -A 8M");
        same("client lookup -x " + x);
        same("client update -x " + x + " -e C:40M");
        same("client update -x " + x + " -e C:41M");
        same("client lookup -x " + x + " -e C");
        same("client lookup -x " + x + " -e :40M");
        assertArrayEquals(bytes(rw.file("big"), 0, (int) (8 * MiB)), bytes(jw.file("big"), 0, (int) (8 * MiB)), "4K index area");

        // Known difference: the reference acquires rindex_lease with the index's own sector
        // size; jsanlock's lease engine uses the lockspace's (512), reads the 4K lease's
        // dblocks at the wrong places and fails -214 (ondisk.md 1.2), as a plain acquire of
        // a 4K lease in a 512 lockspace does on both. Nothing of the index is written then.
        byte[] before = Files.readAllBytes(jw.file("big"));
        for (String op : List.of("create -x " + x + " -e A", "delete -x " + x + " -e C", "rebuild -x " + x)) {
            assertThat(in(rw, "client " + op).out()).contains(" done 0\n");
            assertThat(in(jw, "client " + op).out()).endsWith(" done -214\n");
        }
        assertArrayEquals(before, Files.readAllBytes(jw.file("big")), "nothing written by the failed operations");
    }

    @Test
    @Order(5)
    void noLockspaceFlag() throws Exception {
        List<List<String>> got = new ArrayList<>();
        for (World w : List.of(rw, jw)) {
            SanlockClient c = new SanlockClient(w.run());
            Path f = w.file("nl");
            Files.write(f, new byte[(int) (8 * MiB)]);
            ResourceIndex rx = new ResourceIndex(0, 0, "NL", new Disk(f.toString(), 0));
            c.formatRindex(rx);
            List<String> replies = new ArrayList<>();
            // NL is not joined: -2, unless RX_NO_LOCKSPACE (lookup, update, rebuild)
            replies.add("" + assertThrows(SanlockException.class, () -> c.lookupRindex(rx, ResourceEntry.EMPTY, false)).code());
            replies.add("" + c.lookupRindex(rx, ResourceEntry.EMPTY, true));
            assertEquals(0, run(null, List.of("direct", "init", "-r", "NL:Q:" + f + ":4194304")).exit());
            c.rebuildRindex(rx, true);
            replies.add("" + c.lookupRindex(rx, new ResourceEntry("Q", 0, 0), true));
            replies.add("" + c.updateRindex(rx, new ResourceEntry("S", 5 * MiB, 0), CommandFlags.RXUP_ADD | CommandFlags.RX_NO_LOCKSPACE));
            replies.add("" + c.lookupRindex(rx, new ResourceEntry("", 5 * MiB, 0), true));
            replies.add("" + assertThrows(SanlockException.class, () -> c.rebuildRindex(rx, false)).code());
            replies.add("" + assertThrows(SanlockException.class, () -> c.createResource(rx, "Z", 0, 0)).code());
            got.add(replies);
        }
        assertEquals(got.get(0), got.get(1));
        assertThat(got.get(1).get(2)).contains("name=Q, offset=" + 4 * MiB);
        assertArrayEquals(bytes(rw.file("nl"), 0, (int) MiB), bytes(jw.file("nl"), 0, (int) MiB), "index area");
    }
}
