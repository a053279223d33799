package io.jsanlock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The harness on a tiny configuration (32 resources, one round, 0.3 s passes, sparse
 * file only, no takeover): both real daemons start, every row of the table gets a
 * figure from both, and the storage is cleaned up. Fails (never skips) without the
 * reference sanlock or the packaged jar.
 */
@Tag("slow") // both daemons started and measured (~35 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
@Execution(ExecutionMode.CONCURRENT) // beside the other smoke test: bench/src/test/resources/junit-platform.properties
class BenchSmokeTest {
    static final Path REPO = Path.of(System.getProperty("jsanlock.repo", "..")).toAbsolutePath().normalize();

    static Path shared() {
        String s = System.getProperty("jsanlock.shared");
        if (s != null && Files.isDirectory(Path.of(s, "peer"))) {
            return Path.of(s);
        }
        // a worktree elsewhere: the nearest ancestor with a shared/ beside it
        for (Path a = REPO; a != null; a = a.getParent()) {
            if (Files.isDirectory(a.resolve("shared/peer"))) {
                return a.resolve("shared");
            }
        }
        throw new AssertionError("../shared not found from " + REPO + " (set -Djsanlock.shared)");
    }

    /** A median, with its [min-max] when there were several values. */
    static final String FIGURE = "[0-9.]+( \\[[0-9.]+-[0-9.]+\\])?";

    @Test
    void tinyRunFillsEveryRowForBothDaemons(@TempDir Path dir) throws Exception {
        Path jar = REPO.resolve("dist/target/jsanlock.jar");
        Path peer = shared().resolve("peer/start-daemon.sh");
        assertThat(jar).as("packaged jar (dist runs before bench)").exists();
        assertThat(peer).as("reference start script").exists();
        assertThat(Path.of("/usr/sbin/sanlock")).as("reference sanlock").exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> daemon = List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp", jar.toString(),
                "io.jsanlock.daemon.DaemonMain");
        BenchOptions o = BenchOptions.parse(new String[] {"--resources", "32", "--rounds", "1", "--seconds", "0.3",
                "--no-takeover", "--storage", "file", "--dir", dir.toString()}, daemon,
                List.of(REPO.resolve("bin/jsanlock").toString()), peer);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ResultTable t = BenchMain.run(o, new PrintStream(log, true));

        List<ResultTable.Row> rows = t.rows();
        assertThat(rows).extracting(ResultTable.Row::metric).containsExactly(
                Metric.ADD_LOCKSPACE, Metric.PY_SEQ_OPS, Metric.PY_SEQ_ACQUIRE_P50, Metric.PY_SEQ_RELEASE_P50,
                Metric.PY_FLOOR_OPS, Metric.PY_SEQ_VS_FLOOR, Metric.PY_PAR_32, Metric.SEQ_ACQUIRE_P50, Metric.SEQ_ACQUIRE_P99, Metric.SEQ_RELEASE_P50,
                Metric.SEQ_RELEASE_P99, Metric.SEQ_OPS, Metric.FLOOR_OPS, Metric.SEQ_VS_FLOOR, Metric.PAR_1, Metric.PAR_8,
                Metric.PAR_32, Metric.RSS_IDLE, Metric.RSS_1000, Metric.DUMP);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.storage()).isEqualTo("sparse file");
            assertThat(r.jsanlock()).as(r.metric().label).matches(FIGURE);
            if (r.metric() != Metric.FLOOR_OPS && r.metric() != Metric.PY_FLOOR_OPS) {
                assertThat(r.reference()).as(r.metric().label).matches(FIGURE);
                assertThat(r.ratio()).as(r.metric().label).matches("[0-9.]+");
            }
        });
        assertThat(t.markdown()).contains("| sparse file | daemon RSS, 32 leases held | MiB |");
        assertThat(dir.resolve("file/leases.img")).as("lease file removed at the end").doesNotExist();
    }
}
