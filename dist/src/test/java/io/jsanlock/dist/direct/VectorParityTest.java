package io.jsanlock.dist.direct;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.format.DiskFormat;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged bin/jsanlock on representative reference-written vectors
 * (held, bitmaps, 4K sectors, shared, cleared rindex lease): {@code direct
 * dump} and {@code direct read_leader} print exactly what the reference
 * prints. Every vector is compared in-process, faster, by cli's
 * ReferenceParityTest; this checks the same through the shipped jar.
 */
class VectorParityTest {
    @TempDir
    static Path dir;

    static Stream<String> vectors() throws IOException {
        List<String> names = List.of("scenario-07-bitmaps", "disk4k-joined-held-h2", "sh-held-h1-h2", "rindex-2-deleted-vm1");
        assertThat(Tools.vectorNames()).containsAll(names);
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void dumpAndReadLeaderMatchTheReference(String name) throws Exception {
        Path img = Tools.vector(dir, name);
        String f = img.getFileName().toString();
        List<String[]> runs = new ArrayList<>();
        // dumps.txt covers -f 0 and 2 in-process (cli's DumpVectorsTest); here the packaged binary, -f 1 included.
        runs.add(new String[] {"direct", "dump", f, "-f", "2"});
        if (name.startsWith("rindex")) {
            runs.add(new String[] {"direct", "dump", f + ":1M:4M", "-f", "1"});
        }
        boolean mismatchesDone = false;
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(img));
        for (int area = 0; area + 4096 <= b.capacity(); ) {
            int magic = Leader.magicAt(b, area);
            int step = Geometry.MIB;
            if (magic == DiskFormat.DELTA_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_CLEAR) {
                Leader l = Leader.decode(b, area);
                step = Geometry.fromLeader(l).alignSize();
                if (magic == DiskFormat.DELTA_DISK_MAGIC) {
                    for (String host : new String[] {"1", "2"}) {
                        runs.add(new String[] {"direct", "read_leader", "-s", l.spaceName() + ":" + host + ":" + f + ":" + area});
                    }
                    if (!mismatchesDone) {
                        runs.add(new String[] {"direct", "read_leader", "-s", "other:1:" + f + ":" + area});
                    }
                } else {
                    runs.add(new String[] {"direct", "read_leader", "-r", l.spaceName() + ":" + l.resourceName() + ":" + f + ":" + area});
                    if (!mismatchesDone) {
                        runs.add(new String[] {"direct", "read_leader", "-r", l.spaceName() + ":nope:" + f + ":" + area});
                    }
                }
                mismatchesDone = true;
            }
            area += step;
        }
        for (String[] run : runs) {
            Tools.Result ref = Tools.reference(dir, run);
            Tools.Result ours = Tools.jsanlock(dir, run);
            assertThat(ours.out()).as(String.join(" ", run)).isEqualTo(ref.out());
            assertThat(ours.exit()).as(String.join(" ", run)).isEqualTo(ref.exit());
        }
    }
}
