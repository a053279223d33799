package io.jsanlock.dist.direct;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Tag;

/**
 * Both directions, for 512/1M, 4K/1M and 4K/8M: areas jsanlock initialises
 * are byte-identical to the reference's and the reference reads them as its
 * own; areas the reference initialises, jsanlock dumps and reads exactly as
 * the reference does.
 */
@Tag("slow") // lease areas written and read back by both binaries (~11 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class RoundTripWithReferenceTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({"512, 1M, 1048576, 2000", "4096, 1M, 1048576, 250", "4096, 8M, 8388608, 2000"})
    void initDumpAndReadLeaderBothWays(String sector, String align, long alignBytes, int maxHosts) throws IOException {
        Path ours = dir.resolve("ours");
        Path theirs = dir.resolve("theirs");
        Tools.truncate(ours, 3 * alignBytes);
        Tools.truncate(theirs, 3 * alignBytes);
        String[][] inits = {
            {"-s", "LS:0:%s:0"},
            {"-r", "LS:RES:%s:" + alignBytes},
            {"-r", "LS:RES10:%s:" + 2 * alignBytes, "-n", "10"},
        };
        for (String[] init : inits) {
            String[] a = args(init, ours, sector, align);
            String[] b = args(init, theirs, sector, align);
            Tools.Result j = Tools.jsanlock(dir, a);
            Tools.Result s = Tools.reference(dir, b);
            assertThat(j.out()).isEqualTo("init done 0\n").isEqualTo(s.out());
            assertThat(j.exit()).isZero();
        }
        assertThat(Files.readAllBytes(ours)).as("jsanlock's areas equal the reference's byte for byte")
                .isEqualTo(Files.readAllBytes(theirs));

        // The reference reads jsanlock's areas as its own, and jsanlock reads the reference's as the reference does.
        String[][] reads = {
            {"direct", "dump", "%s"},
            {"direct", "dump", "%s", "-f", "2"},
            {"direct", "dump", "%s:" + alignBytes + ":" + alignBytes, "-f", "1"},
            {"direct", "read_leader", "-s", "LS:1:%s:0"},
            {"direct", "read_leader", "-s", "LS:" + maxHosts + ":%s:0"},
            {"direct", "read_leader", "-r", "LS:RES:%s:" + alignBytes},
            {"direct", "read_leader", "-r", "LS:RES10:%s:" + 2 * alignBytes},
            {"direct", "read_leader", "-r", "LS:RES:%s:" + alignBytes, "-Z", sector, "-A", align},
        };
        for (String[] read : reads) {
            Tools.Result refOnTheirs = Tools.reference(dir, fill(read, theirs));
            Tools.Result refOnOurs = Tools.reference(dir, fill(read, ours));
            Tools.Result oursOnTheirs = Tools.jsanlock(dir, fill(read, theirs));
            assertThat(refOnTheirs.exit()).as(String.join(" ", read)).isZero();
            assertThat(refOnOurs.out().replace(ours.toString(), "F")).as(String.join(" ", read))
                    .isEqualTo(refOnTheirs.out().replace(theirs.toString(), "F"));
            assertThat(oursOnTheirs.out()).as(String.join(" ", read)).isEqualTo(refOnTheirs.out());
            assertThat(oursOnTheirs.exit()).isEqualTo(refOnTheirs.exit());
        }
    }

    private static String[] args(String[] init, Path f, String sector, String align) {
        String[] a = new String[init.length + 6];
        a[0] = "direct";
        a[1] = "init";
        for (int i = 0; i < init.length; i++) {
            a[2 + i] = init[i].replace("%s", f.toString());
        }
        a[init.length + 2] = "-Z";
        a[init.length + 3] = sector;
        a[init.length + 4] = "-A";
        a[init.length + 5] = align;
        return a;
    }

    private static String[] fill(String[] read, Path f) {
        String[] a = read.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i].replace("%s", f.toString());
        }
        return a;
    }
}
