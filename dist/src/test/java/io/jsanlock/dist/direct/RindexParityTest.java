package io.jsanlock.dist.direct;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** direct format -x / lookup -x through bin/jsanlock next to the reference. */
class RindexParityTest {
    @TempDir
    Path dir;

    @Test
    void formatIsTheReferencesAndEachReadsTheOthers() throws Exception {
        for (String geo : new String[] {"512 1M", "4096 1M", "4096 8M"}) {
            String[] za = geo.split(" ");
            long align = za[1].equals("1M") ? 1 << 20 : 8 << 20;
            Path ours = dir.resolve("ours");
            Path theirs = dir.resolve("theirs");
            Tools.truncate(ours, 4 * align);
            Tools.truncate(theirs, 4 * align);
            Tools.Result j = Tools.jsanlock(dir, "direct", "format", "-x", "LS:ours:" + align, "-Z", za[0], "-A", za[1]);
            Tools.Result r = Tools.reference(dir, "direct", "format", "-x", "LS:theirs:" + align, "-Z", za[0], "-A", za[1]);
            assertThat(j.out()).isEqualTo(r.out()).isEqualTo("format done 0\n");
            byte[] a = Files.readAllBytes(ours);
            byte[] b = Files.readAllBytes(theirs);
            // Request-record padding of rindex_lease: garbage in the reference's write, zeros in ours.
            int pad = (int) (2 * align) + Integer.parseInt(za[0]) + 20;
            System.arraycopy(b, pad, a, pad, 4);
            assertThat(a).as(geo).isEqualTo(b);
            for (String f : new String[] {"ours", "theirs"}) {
                for (String[] q : new String[][] {{}, {"-e", "vm1"}}) {
                    String[] args = new String[4 + q.length];
                    args[0] = "direct";
                    args[1] = "lookup";
                    args[2] = "-x";
                    args[3] = "LS:" + f + ":" + align;
                    System.arraycopy(q, 0, args, 4, q.length);
                    Tools.Result x = Tools.jsanlock(dir, args);
                    Tools.Result y = Tools.reference(dir, args);
                    assertThat(x.out()).as(String.join(" ", args)).isEqualTo(y.out());
                    assertThat(x.exit()).isEqualTo(y.exit());
                }
            }
        }
    }

    @Test
    void lookupOnReferenceCreatedEntries() throws Exception {
        for (String v : new String[] {"rindex-1-created-vm1-vm2", "rindex-2-deleted-vm1"}) {
            String rx = "libvirt:" + Tools.vector(dir, v).getFileName() + ":1048576";
            for (String[] q : new String[][] {{}, {"-e", "vm1"}, {"-e", "vm2"}, {"-e", ":4194304"}, {"-e", "vm2:3145728"}}) {
                String[] args = new String[4 + q.length];
                args[0] = "direct";
                args[1] = "lookup";
                args[2] = "-x";
                args[3] = rx;
                System.arraycopy(q, 0, args, 4, q.length);
                Tools.Result x = Tools.jsanlock(dir, args);
                Tools.Result y = Tools.reference(dir, args);
                assertThat(x.out()).as(String.join(" ", args)).isEqualTo(y.out());
                assertThat(x.exit()).isEqualTo(y.exit());
            }
        }
    }
}
