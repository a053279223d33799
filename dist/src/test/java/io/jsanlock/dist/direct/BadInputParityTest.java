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
 * Bad inputs through bin/jsanlock next to the reference, in the same run: the
 * same stdout (or only a different garbage-free field block), stderr and exit
 * status; with JSANLOCK_EXPLAIN=1 the same stdout and exit and explanations on
 * stderr, never a stack trace; and jsanlock's storage unchanged.
 */
@org.junit.jupiter.api.Tag("slow") // a whole-system run (~20 s on a loaded 2-core machine): failsafe, not the fast loop
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
    void detach() throws IOException {
        if (Files.isSymbolicLink(ours)) {
            Files.delete(ours);
            Files.delete(theirs);
        }
        if (loop != null) {
            Tools.run(dir, java.util.List.of("losetup", "-d", loop));
        }
        for (String l : loops) {
            Tools.run(dir, java.util.List.of("losetup", "-d", l));
        }
    }

    /**
     * Same stdout, stderr and exit status as the reference, byte for byte; jsanlock wrote
     * nothing; with JSANLOCK_EXPLAIN=1 the same stdout and exit, and an explanation.
     */
    private void same(String... argsWithF) throws IOException {
        String hash = Tools.sha256(ours);
        Tools.Result ref = Tools.reference(dir, fill(argsWithF, "theirs"));
        Tools.Result j = Tools.jsanlock(dir, fill(argsWithF, "ours"));
        String what = String.join(" ", argsWithF) + "\n== reference: " + ref + "\n== jsanlock: " + j;
        assertThat(j.out()).as(what).isEqualTo(ref.out().replace("theirs", "ours"));
        assertThat(j.err()).as(what).isEqualTo(ref.err().replace("theirs", "ours"));
        assertThat(j.exit()).as(what).isEqualTo(ref.exit()).isEqualTo(1);
        assertThat(Tools.sha256(ours)).isEqualTo(hash);
        explained(argsWithF, j);
    }

    /**
     * Where the reference prints uninitialised memory in read_leader's fields: the same
     * first line (the result code), stderr and exit status; jsanlock wrote nothing.
     */
    private void sameCode(String... argsWithF) throws IOException {
        String hash = Tools.sha256(ours);
        Tools.Result ref = Tools.reference(dir, fill(argsWithF, "theirs"));
        Tools.Result j = Tools.jsanlock(dir, fill(argsWithF, "ours"));
        String what = String.join(" ", argsWithF) + "\n== reference: " + ref + "\n== jsanlock: " + j;
        assertThat(j.out().lines().findFirst()).as(what).isEqualTo(ref.out().lines().findFirst());
        assertThat(j.err()).as(what).isEqualTo(ref.err());
        assertThat(j.exit()).as(what).isEqualTo(ref.exit()).isEqualTo(1);
        assertThat(Tools.sha256(ours)).isEqualTo(hash);
        explained(argsWithF, j);
    }

    /** With JSANLOCK_EXPLAIN=1: stdout and exit unchanged, stderr only "jsanlock: " lines, never a stack trace. */
    private void explained(String[] argsWithF, Tools.Result quiet) {
        Tools.Result e = Tools.jsanlockExplaining(dir, fill(argsWithF, "ours"));
        assertThat(e.out()).as(String.join(" ", argsWithF)).isEqualTo(quiet.out());
        assertThat(e.exit()).isEqualTo(quiet.exit());
        noTrace(e);
        for (String line : e.err().lines().toList()) {
            assertThat(line).as(String.join(" ", argsWithF)).startsWith("jsanlock: ");
        }
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
    void aDirectoryAsPath() throws IOException {
        Files.createDirectory(dir.resolve("ours.d"));
        Files.createDirectory(dir.resolve("theirs.d"));
        same("direct", "dump", "%f.d");
        same("direct", "init", "-s", "LS:0:%f.d:0");
        same("direct", "init", "-r", "LS:R:%f.d:0");
        sameCode("direct", "read_leader", "-s", "LS:1:%f.d:0");
        sameCode("direct", "read_leader", "-r", "LS:R:%f.d:0");
    }

    @Test
    void aResourceOrLockspaceWithoutAPath() throws IOException {
        same("direct", "init", "-r", "LS:R");
        same("direct", "init", "-s", "LS:0");
        sameCode("direct", "read_leader", "-r", "LS:R");
        sameCode("direct", "read_leader", "-s", "LS:1");
        sameCode("direct", "read_leader");
    }

    @Test
    void dumpOffsetsNothingCanBeReadAt() throws IOException {
        same("direct", "dump", "%f:-5");
        same("direct", "dump", "%f:100");
        same("direct", "dump", "%f:100M");
    }

    @Test
    void offsetsAsStrtoullReadsThem() throws IOException {
        same("direct", "init", "-r", "LS:R2:%f:-1");
        same("direct", "init", "-r", "LS:R2:%f:-1M");
        same("direct", "init", "-r", "LS:R2:%f: 5");
        same("direct", "init", "-r", "LS:R2:%f:+5");
        same("direct", "init", "-r", "LS:R2:%f:abc");
        sameCode("direct", "read_leader", "-r", "LS:R:%f:-1M");
    }

    /** ours and theirs become links to two loop devices of the same size and sector size, inited alike. */
    private void onLoopDevices(long size, int sectorSize) throws IOException {
        String[] loops = new String[2];
        for (int i = 0; i < 2; i++) {
            Path backing = dir.resolve("backing" + i);
            Tools.truncate(backing, size);
            loops[i] = attach(backing, sectorSize);
        }
        Files.delete(ours);
        Files.delete(theirs);
        Files.createSymbolicLink(ours, Path.of(loops[0]));
        Files.createSymbolicLink(theirs, Path.of(loops[1]));
        for (Path p : new Path[] {ours, theirs}) {
            assertThat(Tools.reference(dir, "direct", "init", "-s", "LS:0:" + p.getFileName() + ":0").exit()).isZero();
            assertThat(Tools.reference(dir, "direct", "init", "-r", "LS:R:" + p.getFileName() + ":8M").exit()).isZero();
        }
    }

    @Test
    void aSectorSizeSmallerThanTheDevicesIsRefused() throws IOException {
        onLoopDevices(16 << 20, 4096);
        sameCode("direct", "read_leader", "-s", "LS:1:%f:0", "-Z", "512", "-A", "1M");
        sameCode("direct", "read_leader", "-r", "LS:R:%f:8M", "-Z", "512", "-A", "1M");
        sameCode("direct", "read_leader", "-r", "LS:R:%f:8M", "-Z", "512");
        // The device's own sector size reads as without -Z.
        Tools.Result ref = Tools.reference(dir, "direct", "read_leader", "-r", "LS:R:theirs:8M", "-Z", "4096", "-A", "8M");
        Tools.Result j = Tools.jsanlock(dir, "direct", "read_leader", "-r", "LS:R:ours:8M", "-Z", "4096", "-A", "8M");
        assertThat(j.out()).isEqualTo(ref.out()).startsWith("read_leader done 0\n");
        assertThat(j.err()).isEqualTo(ref.err()).isEmpty();
        assertThat(j.exit()).isEqualTo(ref.exit()).isZero();
    }

    @Test
    void areasPastTheEndOfABlockDevice() throws IOException {
        onLoopDevices(16 << 20, 4096);
        same("direct", "init", "-r", "LS:R2:%f:12M");
        same("direct", "init", "-r", "LS:R2:%f:16M");
        same("direct", "init", "-r", "LS:R2:%f:17M");
        same("direct", "init", "-r", "LS:R2:%f:15M", "-Z", "4096", "-A", "2M");
        same("direct", "init", "-s", "LS2:0:%f:16M");
        sameCode("direct", "read_leader", "-r", "LS:R:%f:16M");
        // Last: the reference writes the part of this area that fits (jsanlock refuses first).
        String hash = Tools.sha256(ours);
        Tools.Result ref = Tools.reference(dir, "direct", "init", "-s", "LS2:0:theirs:12M");
        Tools.Result j = Tools.jsanlock(dir, "direct", "init", "-s", "LS2:0:ours:12M");
        assertThat(j.out()).isEqualTo(ref.out()).isEqualTo("init done -28\n");
        assertThat(j.err()).isEqualTo(ref.err()).isEmpty();
        assertThat(j.exit()).isEqualTo(ref.exit());
        assertThat(Tools.sha256(ours)).as("nothing written").isEqualTo(hash);
    }

    private final java.util.List<String> loops = new java.util.ArrayList<>();

    private String attach(Path backing, int sectorSize) {
        java.util.List<String> cmd = java.util.List.of("losetup", "-f", "--show", "--sector-size", Integer.toString(sectorSize),
                backing.toString());
        Tools.Result r = Tools.run(dir, cmd);
        for (int attempt = 1; r.exit() != 0 && attempt < 5; attempt++) { // a lost race for a free device
            try {
                Thread.sleep(200L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = Tools.run(dir, cmd);
        }
        assertThat(r.exit()).as("losetup (tests need root and loop devices): " + r).isZero();
        loops.add(r.out().trim());
        return r.out().trim();
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
        assertThat(j.err()).isEmpty();
        assertThat(Tools.jsanlockExplaining(dir, "direct", "init", "-s", "LS:0:" + loop + ":0").err()).contains("runs past its end");
        j = Tools.jsanlock(dir, "direct", "init", "-r", "LS:R:" + loop + ":0");
        assertThat(j.out()).isEqualTo("init done -90\n");
        assertThat(Tools.sha256(backing)).as("nothing written").isEqualTo(hash);
        // The reference answers the same code (but leaves part of the area written).
        assertThat(Tools.reference(dir, "direct", "init", "-s", "LS:0:" + loop + ":0").out()).isEqualTo("init done -90\n");
    }
}
