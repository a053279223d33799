package io.jsanlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.lease.Timeouts;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@code direct map} on lease files made here: the liveness rule at its limits, resources
 * listed by a resource index, and bad input. (The mixed jsanlock/sanlock cluster is
 * dist's ClusterMapMixedHostsTest.)
 *
 * <p>It runs beside the module's other classes (cli/src/test/resources/junit-platform.properties):
 * its long case is 9 s of watching a stalled host, and the CLI keeps no global state (each run
 * has its own streams and files). The lock, held by nothing else, keeps its cases in order.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("cli tests: DirectMapTest")
class DirectMapTest {
    @TempDir
    Path dir;

    @Test
    void livenessNeedsAChangeAndProvesFailureAndDeathOnlyByTheUnchangedTime() {
        Timeouts n1 = Timeouts.of(1);
        assertThat(Liveness.classify(0, true, 0, n1)).isEqualTo(Liveness.FREE);
        assertThat(Liveness.classify(7, true, 8000, n1)).isEqualTo(Liveness.LIVE);
        assertThat(Liveness.classify(7, false, 8000, n1)).isEqualTo(Liveness.UNKNOWN);
        assertThat(Liveness.classify(7, true, 8001, n1)).isEqualTo(Liveness.FAILING);
        assertThat(Liveness.classify(7, false, 8001, n1)).isEqualTo(Liveness.FAILING);
        assertThat(Liveness.classify(7, false, 68000, n1)).isEqualTo(Liveness.FAILING);
        assertThat(Liveness.classify(7, false, 68001, n1)).isEqualTo(Liveness.DEAD);
        // the host's own N judges it: 8N+W = 140 s for N = 10
        assertThat(Liveness.classify(7, false, 68001, Timeouts.of(10))).isEqualTo(Liveness.UNKNOWN);
        assertThat(Liveness.classify(7, false, 140001, Timeouts.of(10))).isEqualTo(Liveness.DEAD);
    }

    /** A lockspace (io_timeout 1) whose host 1 slot was last written with timestamp 5 and never again. */
    private Path stalledHost() throws Exception {
        Path f = dir.resolve("ls");
        Files.write(f, new byte[1 << 20]);
        assertThat(Cli.run("direct", "init", "-s", "LS:0:" + f + ":0", "-o", "1").exit()).isZero();
        ByteBuffer sector = ByteBuffer.allocate(512);
        Leader.freeDeltaLease(Geometry.S512_A1M, "LS", 1).withOwner(1, 3, 5).withResourceName("hostZ").encode(sector, 0);
        try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(sector, 0);
        }
        return f;
    }

    @Test
    void aHostThatDoesNotMoveForMoreThan8NIsFailingAndItsLeasesWithIt() throws Exception {
        Path f = stalledHost();
        Path res = dir.resolve("res");
        Files.write(res, new byte[1 << 20]);
        assertThat(Cli.run("direct", "init", "-r", "LS:R:" + res + ":0").exit()).isZero();
        ByteBuffer leader = ByteBuffer.allocate(512);
        Files.newByteChannel(res).read(leader);
        Leader.decode(leader, 0).withOwner(1, 3, 9).withLver(4).encode(leader, 0);
        try (var ch = java.nio.channels.FileChannel.open(res, StandardOpenOption.WRITE)) {
            ch.write(leader.rewind(), 0);
        }
        Cli.Result r = Cli.run(false, "direct", "map", "-s", "LS:0:" + f + ":0", "-r", "LS:R:" + res + ":0", "-W", "9");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).containsPattern("(?m)^0001 0003 0000000005   1 failing +9\\.\\d hostZ$")
                .containsPattern("(?m)^00000000 +R 0004 0001 0003 EX   failing hostZ$");
    }

    @Test
    void withoutAWindowAHostIsUnknownAndAHolderOfAnOlderGenerationIsDead() throws Exception {
        Path f = stalledHost();
        Path res = dir.resolve("res");
        Files.write(res, new byte[1 << 20]);
        assertThat(Cli.run("direct", "init", "-r", "LS:R:" + res + ":0").exit()).isZero();
        ByteBuffer leader = ByteBuffer.allocate(512);
        Files.newByteChannel(res).read(leader);
        Leader.decode(leader, 0).withOwner(1, 2, 9).withLver(4).encode(leader, 0);
        try (var ch = java.nio.channels.FileChannel.open(res, StandardOpenOption.WRITE)) {
            ch.write(leader.rewind(), 0);
        }
        Cli.Result r = Cli.run(false, "direct", "map", "-s", "LS:0:" + f + ":0", "-r", "LS:R:" + res + ":0", "-W", "0", "--json");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("\"observation\":{\"window_ms\":0,\"watched_ms\":0,\"reads\":1}")
                .contains("{\"host_id\":1,\"owner_id\":1,\"generation\":3,\"timestamp\":5,\"io_timeout\":1,\"name\":\"hostZ\","
                        + "\"state\":\"unknown\",\"seen_changing\":false,\"unchanged_ms\":0}")
                .contains("\"holders\":[{\"host_id\":1,\"generation\":2,\"mode\":\"EX\",\"state\":\"dead\",\"host_name\":\"hostZ\"}]");
    }

    @Test
    void resourcesListedByAResourceIndexAreMapped() throws Exception {
        Path ls = dir.resolve("libvirt-ls");
        Files.write(ls, new byte[1 << 20]);
        assertThat(Cli.run("direct", "init", "-s", "libvirt:0:" + ls + ":0").exit()).isZero();
        Path rx = Cli.vector(dir, "rindex-1-created-vm1-vm2");
        Cli.Result r = Cli.run(false, "direct", "map", "-s", "libvirt:0:" + ls + ":0", "-x", "libvirt:" + rx + ":1M", "-W", "0");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).containsPattern("(?m)^03145728 +vm1 0000    -    - -    free$")
                .containsPattern("(?m)^04194304 +vm2 0000    -    - -    free$");
    }

    @Test
    void badInputIsAClearErrorOnStderr() throws Exception {
        Cli.Result noLockspace = Cli.run(false, "direct", "map", "-r", "LS:R:/x:0");
        assertThat(noLockspace.exit()).isEqualTo(1);
        assertThat(noLockspace.out()).isEmpty();
        assertThat(noLockspace.err()).startsWith("direct map: needs -s LOCKSPACE");
        assertThat(Cli.run(false, "direct", "map", "-s", "LS:0:/x:0", "-W", "soon").err())
                .startsWith("direct map: -W takes a number of seconds");
        Cli.Result missing = Cli.run(false, "direct", "map", "-s", "LS:0:" + dir.resolve("nope") + ":0");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("direct map: ").contains("(-2)").doesNotContain("Exception");
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[1 << 20]);
        Cli.Result notALockspace = Cli.run(false, "direct", "map", "-s", "LS:0:" + empty + ":0");
        assertThat(notALockspace.exit()).isEqualTo(1);
        assertThat(notALockspace.err()).contains("(-223)");
        assertThat(Cli.run(false, "direct", "map", "-h").out()).contains("8N+W").startsWith("jsanlock direct map -s LOCKSPACE");
    }
}
