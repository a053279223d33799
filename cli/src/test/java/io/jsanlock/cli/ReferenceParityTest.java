package io.jsanlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * On every reference-written vector (including those where reference hosts
 * hold leases), jsanlock's {@code direct dump} (-f 0, 1, 2, and from 1 MiB
 * with a size) and {@code direct read_leader} of every leader (and of a wrong
 * name) print exactly what the reference binary prints, with the same exit
 * status. Needs the reference sanlock: fails when it is missing.
 */
@Tag("slow") // both daemons joined for every client command compared (~14 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class ReferenceParityTest {
    @TempDir
    static Path dir;

    static String sanlock() {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin")) {
            if (Files.isExecutable(Path.of(d, "sanlock"))) {
                return d + "/sanlock";
            }
        }
        throw new AssertionError("the reference sanlock is not installed: run ../shared/peer/install.sh");
    }

    static Stream<String> vectors() throws IOException {
        try (Stream<Path> s = Files.list(Cli.shared().resolve("vectors"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".img.gz"))
                    .map(n -> n.substring(0, n.length() - 7)).sorted().toList();
            assertThat(names).hasSize(24);
            return names.stream();
        }
    }

    private static Cli.Result reference(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(sanlock());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Cli.Result(p.exitValue(), out, "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void dumpAndReadLeaderMatchTheReference(String name) throws Exception {
        Path img = Cli.vector(dir, name);
        String f = img.toString();
        List<String[]> runs = new ArrayList<>();
        for (String level : new String[] {"0", "1", "2"}) {
            runs.add(new String[] {"direct", "dump", f, "-f", level});
            runs.add(new String[] {"direct", "dump", f + ":1M:4M", "-f", level});
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(img));
        for (int area = 0; area + 4096 <= b.capacity(); ) {
            int magic = Leader.magicAt(b, area);
            int step = Geometry.MIB;
            if (magic == DiskFormat.DELTA_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_CLEAR) {
                Leader l = Leader.decode(b, area);
                step = Geometry.fromLeader(l).alignSize();
                if (magic == DiskFormat.DELTA_DISK_MAGIC) {
                    for (String host : new String[] {"1", "2", "3", "250"}) {
                        runs.add(new String[] {"direct", "read_leader", "-s", l.spaceName() + ":" + host + ":" + f + ":" + area});
                    }
                    runs.add(new String[] {"direct", "read_leader", "-s", "other:1:" + f + ":" + area});
                } else {
                    runs.add(new String[] {"direct", "read_leader", "-r", l.spaceName() + ":" + l.resourceName() + ":" + f + ":" + area});
                    runs.add(new String[] {"direct", "read_leader", "-r", l.spaceName() + ":nope:" + f + ":" + area});
                    runs.add(new String[] {"direct", "read_leader", "-r", "other:" + l.resourceName() + ":" + f + ":" + area});
                }
            }
            area += step;
        }
        for (String[] run : runs) {
            Cli.Result ref = reference(run);
            Cli.Result ours = Cli.run(run);
            assertThat(ours.out()).as(String.join(" ", run)).isEqualTo(ref.out());
            assertThat(ours.exit()).as(String.join(" ", run)).isEqualTo(ref.exit());
        }
    }
}
