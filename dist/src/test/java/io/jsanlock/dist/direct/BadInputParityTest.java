package io.jsanlock.dist.direct;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad inputs through bin/jsanlock next to the reference: the same stdout (or
 * only a different garbage-free field block) and exit status, a message on
 * stderr, never a stack trace, and jsanlock's storage unchanged.
 */
class BadInputParityTest {
    @TempDir
    Path dir;
    Path ours;
    Path theirs;
    String loop;

    @BeforeEach
    void areas() throws IOException {
        ours = dir.resolve("ours");
        theirs = dir.resolve("theirs");
        for (Path p : new Path[] {ours, theirs}) {
            Tools.truncate(p, 2 << 20);
            assertThat(Tools.reference(dir, "direct", "init", "-s", "LS:0:" + p.getFileName() + ":0").exit()).isZero();
            assertThat(Tools.reference(dir, "direct", "init", "-r", "LS:R:" + p.getFileName() + ":1048576").exit()).isZero();
        }
    }

    @AfterEach
    void detach() {
        if (loop != null) {
            Tools.run(dir, java.util.List.of("losetup", "-d", loop));
        }
    }

    /** Same stdout and exit as the reference; jsanlock wrote nothing. */
    private void same(String... argsWithF) throws IOException {
        String hash = Tools.sha256(ours);
        Tools.Result ref = Tools.reference(dir, fill(argsWithF, "theirs"));
        Tools.Result j = Tools.jsanlock(dir, fill(argsWithF, "ours"));
        assertThat(j.out()).as(String.join(" ", argsWithF)).isEqualTo(ref.out().replace("theirs", "ours"));
        assertThat(j.exit()).as(String.join(" ", argsWithF)).isEqualTo(ref.exit()).isEqualTo(1);
        noTrace(j);
        assertThat(Tools.sha256(ours)).isEqualTo(hash);
    }

    /** Same first line (the result code) and exit as the reference; jsanlock wrote nothing and explained why. */
    private void sameCode(String... argsWithF) throws IOException {
        String hash = Tools.sha256(ours);
        Tools.Result ref = Tools.reference(dir, fill(argsWithF, "theirs"));
        Tools.Result j = Tools.jsanlock(dir, fill(argsWithF, "ours"));
        assertThat(j.out().lines().findFirst()).as(String.join(" ", argsWithF)).isEqualTo(ref.out().lines().findFirst());
        assertThat(j.exit()).isEqualTo(ref.exit()).isEqualTo(1);
        assertThat(j.err()).startsWith("jsanlock: ");
        noTrace(j);
        assertThat(Tools.sha256(ours)).isEqualTo(hash);
    }

    private static void noTrace(Tools.Result r) {
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static String[] fill(String[] a, String f) {
        String[] b = a.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] = b[i].replace("%f", f);
        }
        return b;
    }

    @Test
    void namesOver48Bytes() throws IOException {
        String n49 = "n".repeat(49);
        same("direct", "init", "-r", "LS:" + n49 + ":%f:1048576");
        same("direct", "init", "-r", n49 + ":R:%f:1048576");
    }

    @Test
    void refusedSizePairsAndOptionErrors() throws IOException {
        same("direct", "init", "-s", "LS:0:%f:0", "-Z", "512", "-A", "8M");
        same("direct", "init", "-s", "LS:0:%f:0", "-A", "2M");
        same("direct", "init", "-s", "LS:0:%f:0", "-Z", "4096");
        same("direct", "init", "-s", "LS:0:%f:0", "-Z", "512", "-A", "3M");
        same("direct", "init", "-s", "LS:0:%f:0", "bogus");
        same("direct", "init", "-s", "LS:0:%f:0", "-y", "1");
        same("direct", "init", "-s");
        same("direct", "init");
        same("direct", "unknown_action");
    }

    @Test
    void missingPaths() throws IOException {
        same("direct", "init", "-s", "LS:0:%f.missing:0");
        same("direct", "init", "-r", "LS:R:%f.missing:0");
        same("direct", "dump", "%f.missing");
        same("direct", "dump");
        sameCode("direct", "read_leader", "-s", "LS:1:%f.missing:0");
        sameCode("direct", "read_leader", "-r", "LS:R:%f.missing:0");
    }

    @Test
    void unalignedOffsetsAndHostIds() throws IOException {
        same("direct", "init", "-s", "LS:0:%f:1000");
        same("direct", "init", "-r", "LS:R:%f:100");
        sameCode("direct", "read_leader", "-s", "LS:0:%f:0");
        sameCode("direct", "read_leader", "-r", "LS:R:%f:1000");
    }

    @Test
    void foreignMagicWrongNamesAndBadChecksums() throws IOException {
        same("direct", "read_leader", "-r", "LS:R:%f:0");
        same("direct", "read_leader", "-s", "LS:1:%f:1048576");
        same("direct", "read_leader", "-r", "LS:OTHER:%f:1048576");
        same("direct", "read_leader", "-s", "XX:1:%f:0");
        for (Path p : new Path[] {ours, theirs}) {
            byte[] b = Files.readAllBytes(p);
            b[1048576 + 110] ^= 0x01;
            b[512 + 60] ^= 0x40;
            Files.write(p, b);
        }
        same("direct", "read_leader", "-r", "LS:R:%f:1048576");
        same("direct", "read_leader", "-s", "LS:2:%f:0");
    }

    @Test
    void storageTooSmall() throws IOException {
        Tools.truncate(ours, 1000);
        Tools.truncate(theirs, 1000);
        same("direct", "dump", "%f");
        sameCode("direct", "read_leader", "-s", "LS:1:%f:0");
        sameCode("direct", "read_leader", "-r", "LS:R:%f:0");
    }

    @Test
    void blockDeviceTooSmallForTheAreaIsRefusedBeforeAnyWrite() throws IOException {
        Path backing = dir.resolve("small-dev");
        Tools.truncate(backing, 512 * 1024);
        Tools.Result r = Tools.run(dir, java.util.List.of("losetup", "-f", "--show", backing.toString()));
        for (int attempt = 1; r.exit() != 0 && attempt < 5; attempt++) { // a lost race for a free device
            try {
                Thread.sleep(200L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = Tools.run(dir, java.util.List.of("losetup", "-f", "--show", backing.toString()));
        }
        assertThat(r.exit()).as("losetup (tests need root and loop devices): " + r).isZero();
        loop = r.out().trim();
        String hash = Tools.sha256(backing);
        Tools.Result j = Tools.jsanlock(dir, "direct", "init", "-s", "LS:0:" + loop + ":0");
        assertThat(j.out()).isEqualTo("init done -90\n");
        assertThat(j.exit()).isEqualTo(1);
        assertThat(j.err()).contains("too small");
        j = Tools.jsanlock(dir, "direct", "init", "-r", "LS:R:" + loop + ":0");
        assertThat(j.out()).isEqualTo("init done -90\n");
        assertThat(Tools.sha256(backing)).as("nothing written").isEqualTo(hash);
        // The reference answers the same code (but leaves part of the area written).
        assertThat(Tools.reference(dir, "direct", "init", "-s", "LS:0:" + loop + ":0").out()).isEqualTo("init done -90\n");
    }
}
