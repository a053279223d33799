package io.jsanlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Reference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input of issue 2: the reference's stdout and exit status (the
 * expected texts were captured from sanlock 3.8.5; where the reference prints
 * uninitialised memory, jsanlock prints zero fields), an explanation on
 * stderr, and the storage unchanged (hash before and after).
 */
class BadInputTest {
    static final String ZERO_DELTA_FIELDS = """
            magic 0x0
            version 0x0
            flags 0x0
            sector_size 0
            num_hosts 0
            max_hosts 0
            owner_id 0
            owner_generation 0
            lver 0
            space_name\s
            resource_name\s
            timestamp 0
            checksum 0x0
            io_timeout 0
            extra1 0
            extra2 0
            extra3 0
            """;
    static final String ZERO_PAXOS_FIELDS = ZERO_DELTA_FIELDS.replace("extra1", "write_id").replace("extra2", "write_generation")
            .replace("extra3", "write_timestamp");

    @TempDir
    Path dir;
    Path file;
    String hash;

    @BeforeEach
    void lockspaceAndResource() throws IOException {
        file = dir.resolve("leases");
        Files.write(file, new byte[2 << 20]);
        assertThat(Cli.run("direct", "init", "-s", "LS:0:" + file + ":0").exit()).isZero();
        assertThat(Cli.run("direct", "init", "-r", "LS:R:" + file + ":1048576").exit()).isZero();
        hash = Cli.sha256(file);
    }

    private void assertRun(Cli.Result r, int exit, String out, String errContains) throws IOException {
        assertThat(r.out()).isEqualTo(out);
        assertThat(r.exit()).isEqualTo(exit);
        assertThat(r.err()).contains(errContains).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(Cli.sha256(file)).as("storage unchanged").isEqualTo(hash);
    }

    @Test
    void resourceNameOver48Bytes() throws IOException {
        String n49 = "r".repeat(49);
        assertRun(Cli.run("direct", "init", "-r", "LS:" + n49 + ":" + file + ":1048576"), 1,
                "resource arg parse error -1\n\ninit done -22\n", "resource name '" + n49 + "' is 49 bytes, over the 48-byte limit");
        assertRun(Cli.run("direct", "init", "-r", n49 + ":R:" + file + ":1048576"), 1,
                "resource arg parse error -1\n\ninit done -22\n", "lockspace name");
        assertRun(Cli.run("direct", "read_leader", "-r", "LS:" + n49 + ":" + file + ":1048576"), 1,
                "resource arg parse error -1\n\nread_leader done -1\n" + ZERO_PAXOS_FIELDS, "over the 48-byte limit");
    }

    @Test
    void offsetNotAlignedToTheArea() throws IOException {
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":1000"), 1, "init done -22\n",
                "offset 1000 is not a multiple of the 1048576-byte area size");
        // The reference would write here (512 is sector aligned); jsanlock refuses, areas never overlap.
        assertRun(Cli.run("direct", "init", "-r", "LS:R2:" + file + ":512"), 1, "init done -22\n", "not a multiple");
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":1048576", "-Z", "4096", "-A", "2M"), 1,
                "init done -22\n", "2097152-byte area size");
    }

    @Test
    void hostIdZeroOrAboveTheMaximum() throws IOException {
        assertRun(Cli.run("direct", "read_leader", "-s", "LS:0:" + file + ":0"), 1,
                "read_leader done -22\n" + ZERO_DELTA_FIELDS, "host_id 0 is invalid");
        assertRun(Cli.run("direct", "read_leader", "-s", "LS:2001:" + file + ":0"), 1,
                "read_leader done -22\n" + ZERO_DELTA_FIELDS, "host_id 2001 is above the maximum 2000 for sector/align size 512/1M");
        assertThat(Cli.run("direct", "read_leader", "-s", "LS:2000:" + file + ":0").exit()).isZero();
    }

    @Test
    void sectorAlignPairsTheReferenceRefuses() throws IOException {
        String hint = "Use one of: 512/1M, 4096/1M, 4096/2M, 4096/4M, 4096/8M.\n";
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":0", "-Z", "512", "-A", "8M"), 1,
                "Invalid sector_size/align_size combination (512/8388608)\n" + hint, "");
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":0", "-Z", "1024", "-A", "1M"), 1,
                "Invalid sector_size/align_size combination (1024/1048576)\n" + hint, "");
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":0", "-A", "1M"), 1,
                "Invalid sector_size/align_size combination (0/1048576)\n" + hint, "");
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":0", "-Z", "4096"), 1, "init done -1\n",
                "-Z 4096 needs -A");
    }

    @Test
    void missingPath() throws IOException {
        Path none = dir.resolve("nonexistent");
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + none + ":0"), 1, "init done -19\n", none + " does not exist");
        assertRun(Cli.run("direct", "init", "-r", "LS:R:" + none + ":0"), 1, "init done -2\n", "does not exist");
        assertRun(Cli.run("direct", "dump", none.toString()), 1, "Device " + none + " not found.\n", "");
        assertRun(Cli.run("direct", "read_leader", "-s", "LS:1:" + none + ":0"), 1, "read_leader done -19\n" + ZERO_DELTA_FIELDS, "");
        assertRun(Cli.run("direct", "read_leader", "-r", "LS:R:" + none + ":0"), 1, "read_leader done -2\n" + ZERO_PAXOS_FIELDS, "");
        assertRun(Cli.run("direct", "init", "-s", "LS:1"), 1, "init done -22\n", "has no path");
        assertRun(Cli.run("direct", "dump"), 1, "", "");
        assertThat(Files.exists(none)).isFalse();
    }

    @Test
    void fileTooSmallWhenReading() throws IOException {
        Path small = dir.resolve("small");
        Files.write(small, new byte[1000]);
        assertRun(Cli.run("direct", "read_leader", "-s", "LS:1:" + small + ":0"), 1, "read_leader done -90\n" + ZERO_DELTA_FIELDS,
                "ends at 1000");
        assertRun(Cli.run("direct", "read_leader", "-r", "LS:R:" + small + ":0"), 1, "read_leader done -90\n" + ZERO_PAXOS_FIELDS,
                "ends at 1000");
        assertRun(Cli.run("direct", "dump", small.toString()), 1, "Cannot find sector_size and align_size, set with -A and -Z.\n", "");
        assertThat(Files.size(small)).isEqualTo(1000);
    }

    /**
     * stdout and exit status are the reference binary's for the same command on the same
     * (read-only) storage, and the explanation names the cause.
     */
    private void assertLikeReference(String explanation, String... args) throws IOException {
        Cli.Result ref = reference(args);
        assertRun(Cli.run(args), ref.exit(), ref.out(), explanation);
        assertThat(ref.exit()).as("the reference fails too").isEqualTo(1);
    }

    private Cli.Result reference(String... args) throws IOException {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Reference.SANLOCK.toString());
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        try {
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return new Cli.Result(p.exitValue(), out, "");
    }

    @Test
    void foreignMagicOrBadChecksumWhenReading() throws IOException {
        assertLikeReference("paxos leader has wrong magic 0x12212010", "direct", "read_leader", "-r", "LS:R:" + file + ":0");
        assertLikeReference("delta lease has wrong magic 0x6152010", "direct", "read_leader", "-s", "LS:1:" + file + ":1048576");

        byte[] b = Files.readAllBytes(file);
        b[1048576 + 120] ^= 0x04; // inside resource_name, covered by the checksum
        b[100] ^= 0x10;           // host 1's delta lease, inside resource_name
        Files.write(file, b);
        hash = Cli.sha256(file);
        assertLikeReference("paxos leader has a bad checksum", "direct", "read_leader", "-r", "LS:R:" + file + ":1048576");
        assertLikeReference("delta lease has a bad checksum", "direct", "read_leader", "-s", "LS:1:" + file + ":0");
    }

    @Test
    void otherNameAndLockspaceMismatches() throws IOException {
        assertLikeReference("is for resource 'R', not 'OTHER'", "direct", "read_leader", "-r", "LS:OTHER:" + file + ":1048576");
        assertLikeReference("belongs to lockspace 'LS', not 'XX'", "direct", "read_leader", "-s", "XX:1:" + file + ":0");
    }

    @Test
    void explanationsOnlyWhenAskedFor() throws IOException {
        Cli.Result quiet = Cli.run(false, "direct", "read_leader", "-r", "LS:OTHER:" + file + ":1048576");
        Cli.Result explained = Cli.run(true, "direct", "read_leader", "-r", "LS:OTHER:" + file + ":1048576");
        assertThat(quiet.err()).isEmpty();
        assertThat(explained.err()).startsWith("jsanlock: ");
        assertThat(quiet.out()).isEqualTo(explained.out());
        assertThat(quiet.exit()).isEqualTo(explained.exit()).isEqualTo(1);
    }

    @Test
    void optionSyntaxErrors() throws IOException {
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":0", "foo"), 1,
                "unknown option foo\nspace required before option value\n", "");
        assertRun(Cli.run("direct", "init", "-s", "LS:0:" + file + ":0", "-q", "1"), 1, "unknown option: q\n", "");
        assertRun(Cli.run("direct", "init", "-s"), 1, "option 's' requires arg\n", "");
        assertRun(Cli.run("direct", "nothing"), 1, "direct action \"nothing\" is unknown\n", "");
        assertRun(Cli.run("direct", "init"), 1, "init done -22\n", "init needs -s LOCKSPACE or -r RESOURCE");
    }
}
