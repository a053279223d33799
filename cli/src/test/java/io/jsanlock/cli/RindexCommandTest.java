package io.jsanlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * direct format -x and lookup -x against the reference-written rindex vectors
 * (../shared/vectors, regenerated from the binary by generate.sh there); lookups are compared
 * with the reference binary run in the same test.
 */
class RindexCommandTest {
    @TempDir
    Path dir;

    @Test
    void formatWritesWhatTheReferenceWrote() throws Exception {
        Path f = dir.resolve("rx");
        Files.write(f, new byte[5 << 20]);
        assertThat(Cli.run("direct", "format", "-x", "libvirt:" + f + ":1048576", "-Z", "512", "-A", "1M"))
                .isEqualTo(new Cli.Result(0, "format done 0\n", ""));
        byte[] ours = Files.readAllBytes(f);
        byte[] ref = Files.readAllBytes(Cli.vector(dir, "rindex-0-formatted"));
        // The reference leaves stack garbage in the request record's padding (ondisk.md 2.4); we write zeros there.
        int pad = 2097152 + 512 + 20;
        assertThat(ours[pad] | ours[pad + 1] | ours[pad + 2] | ours[pad + 3]).isZero();
        System.arraycopy(ref, pad, ours, pad, 4);
        assertThat(ours).isEqualTo(ref);
        assertThat(Cli.run("direct", "lookup", "-x", "libvirt:" + f + ":1M").out()).isEqualTo("lookup done 0\nname - offset 3145728\n");
    }

    /**
     * Every lookup, found or refused, prints on stdout what the reference binary prints for the same
     * command on the same vector in this run, with its exit status; the literal beside each is
     * what sanlock 3.8.5 answered when the test was written, checked against the binary too so
     * that a case cannot silently turn into another (e.g. every lookup failing the same way).
     */
    @Test
    void lookupAnswersAsTheReference() throws Exception {
        Reference.require();
        String rx = "libvirt:" + Cli.vector(dir, "rindex-1-created-vm1-vm2") + ":";
        assertLookup("lookup done 0\nname - offset 5242880\n", "-x", rx + "1048576");
        assertLookup("lookup done 0\nname vm2 offset 4194304\n", "-x", rx + "1M", "-e", "vm2");
        assertLookup("lookup done 0\nname vm1 offset 3145728\n", "-x", rx + "1048576", "-e", ":3145728");
        assertLookup("lookup done 0\nname vm2 offset 4194304\n", "-x", rx + "1048576", "-e", "vm2:4194304");
        assertLookup("lookup done -278\n", "-x", rx + "1048576", "-e", "vm2:3145728");
        assertLookup("lookup done -2\n", "-x", rx + "1048576", "-e", "nope");
        assertLookup("lookup done -276\n", "-x", "other:" + rx.substring(8) + "1048576");
        assertLookup("lookup done -274\n", "-x", rx + "0");
        String rx2 = "libvirt:" + Cli.vector(dir, "rindex-2-deleted-vm1") + ":1048576";
        assertLookup("lookup done 0\nname - offset 3145728\n", "-x", rx2);
        assertLookup("lookup done -2\n", "-x", rx2, "-e", "vm1");
    }

    private static void assertLookup(String written, String... lookupArgs) throws Exception {
        String[] args = new String[lookupArgs.length + 2];
        args[0] = "direct";
        args[1] = "lookup";
        System.arraycopy(lookupArgs, 0, args, 2, lookupArgs.length);
        Reference.Result ref = Reference.run(null, args);
        Cli.Result ours = Cli.run(false, args); // as run: no JSANLOCK_EXPLAIN
        String what = String.join(" ", args);
        assertThat(ref.out()).as("sanlock " + what).isEqualTo(written);
        // ref.out() is the reference's stdout and stderr together: ours, both streams in that
        // order, must equal it (explanations go to stderr only with JSANLOCK_EXPLAIN set).
        assertThat(ours.out() + ours.err()).as("jsanlock " + what).isEqualTo(ref.out());
        assertThat(ours.err()).as("stderr of jsanlock " + what).isEmpty();
        assertThat(ours.exit()).as("exit of jsanlock " + what).isEqualTo(ref.exit());
    }
}
