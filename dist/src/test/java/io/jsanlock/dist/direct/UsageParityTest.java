package io.jsanlock.dist.direct;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** version, help and the demo's commands, through bin/jsanlock and the reference. */
class UsageParityTest {
    @TempDir
    Path dir;

    @Test
    void versionAndHelpAreTheReferences() {
        for (String[] a : new String[][] {{"version"}, {"help"}, {"-h"}, {"--help"}, {}, {"direct"}}) {
            Tools.Result ref = Tools.reference(dir, a);
            Tools.Result ours = Tools.jsanlock(dir, a);
            assertThat(ours.out()).as(String.join(" ", a)).isEqualTo(ref.out());
            assertThat(ours.err()).as(String.join(" ", a)).isEqualTo(ref.err());
            assertThat(ours.exit()).as(String.join(" ", a)).isEqualTo(ref.exit());
        }
    }

    /** The three commands of bin/demo print what the reference prints for them. */
    @Test
    void demoCommandsPrintTheReferenceOutput() throws Exception {
        for (String who : new String[] {"ours", "theirs"}) {
            Tools.truncate(dir.resolve(who), 8 << 20);
        }
        String[][] demo = {
            {"direct", "init", "-s", "libvirt:0:%f:0"},
            {"direct", "init", "-r", "libvirt:test1:%f:1048576"},
            {"direct", "dump", "%f"},
        };
        for (String[] cmd : demo) {
            Tools.Result ref = Tools.reference(dir, fill(cmd, dir.resolve("theirs")));
            Tools.Result ours = Tools.jsanlock(dir, fill(cmd, dir.resolve("ours")));
            assertThat(ours.out()).isEqualTo(ref.out());
            assertThat(ours.exit()).isZero();
        }
        assertThat(java.nio.file.Files.readAllBytes(dir.resolve("ours"))).isEqualTo(java.nio.file.Files.readAllBytes(dir.resolve("theirs")));
    }

    private static String[] fill(String[] a, Path f) {
        String[] b = a.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] = b[i].replace("%f", f.toString());
        }
        return b;
    }
}
