package io.jsanlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import io.jsanlock.format.Leader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void versionAndUsage() {
        assertThat(Cli.run("version")).isEqualTo(new Cli.Result(0, "3.8.5\n", ""));
        Cli.Result help = Cli.run(false, "help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage:\nsanlock <command> <action> ...\n").endsWith("maximum client process connections: 1000\n\n")
                .contains("sanlock direct dump <path>[:<offset>[:<size>]]\n")
                .contains("  <lockspace_name>\tname of lockspace\n");
        assertThat(Cli.run(false)).isEqualTo(help);
        assertThat(Cli.run(false, "-h")).isEqualTo(help);
        assertThat(Cli.run(false, "--help")).isEqualTo(help);
        assertThat(Cli.run(false, "direct")).isEqualTo(new Cli.Result(1, help.out(), ""));
    }

    @Test
    void helpSaysItIsJsanlockOnlyWhenExplanationsAreAskedFor() {
        String usage = Cli.run(false, "help").out();
        assertThat(usage).doesNotContain("jsanlock");
        assertThat(Cli.run(false, "help").err()).isEmpty();
        Cli.Result explained = Cli.run(true, "help");
        assertThat(explained.out()).isEqualTo(usage);
        assertThat(explained.err()).startsWith("jsanlock: this is jsanlock, a Java reimplementation of sanlock 3.8.5")
                .contains("direct map").contains("daemon -M");
        assertThat(explained.err().lines()).allMatch(l -> l.startsWith("jsanlock: "));
        assertThat(Cli.run(true, "-h")).isEqualTo(explained);
        assertThat(Cli.run(false, "--version").out()).startsWith("jsanlock ");
    }

    @Test
    void dashHOnACommandPrintsItsUsage() {
        Cli.Result r = Cli.run("direct", "init", "-h");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("sanlock direct init -s LOCKSPACE | -r RESOURCE [-Z 512|4096 -A 1M|2M|4M|8M]\n")
                .contains("LOCKSPACE = <lockspace_name>:<host_id>:<path>:<offset>\n").contains("Limits:\n")
                .doesNotContain("read_leader");
        assertThat(Cli.run("direct", "dump", "-h").out()).startsWith("sanlock direct dump <path>[:<offset>[:<size>]]\n");
        assertThat(Cli.run("direct", "read_leader", "-h").out()).startsWith("sanlock direct read_leader ");
        assertThat(Cli.run("direct", "-h").out()).startsWith("sanlock direct <action>").contains("sanlock direct format");
    }

    @Test
    void initThenReadLeaderRoundTrip() throws IOException {
        Path f = dir.resolve("f");
        Files.write(f, new byte[0]);
        assertThat(Cli.run("direct", "init", "-s", "LS:0:" + f + ":0", "-Z", "4096", "-A", "1M", "-o", "20"))
                .isEqualTo(new Cli.Result(0, "init done 0\n", ""));
        assertThat(Files.size(f)).isEqualTo(1 << 20);
        Cli.Result r = Cli.run("direct", "read_leader", "-s", "LS:250:" + f + ":0");
        assertThat(r.out()).isEqualTo("""
                read_leader done 0
                magic 0x12212010
                version 0x30004
                flags 0x10
                sector_size 4096
                num_hosts 0
                max_hosts 1
                owner_id 0
                owner_generation 0
                lver 0
                space_name LS
                resource_name\s
                timestamp 0
                checksum 0x%x
                io_timeout 20
                extra1 0
                extra2 0
                extra3 0
                """.formatted(Leader.computeChecksum(ByteBuffer.wrap(Files.readAllBytes(f)), 249 * 4096)));
        assertThat(Cli.run("direct", "init", "-r", "LS:R\\:x:" + f + ":1048576:SH", "-n", "9", "-Z", "4096", "-A", "1M").exit()).isZero();
        r = Cli.run("direct", "read_leader", "-r", "LS:R\\:x:" + f + ":1048576");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("\nnum_hosts 9\nmax_hosts 250\n").contains("\nresource_name R:x\n");
        r = Cli.run("direct", "dump", f.toString());
        assertThat(r.out()).endsWith("01048576                                   LS                                              R:x 0000000000 0000 0000 0\n");
    }

    @Test
    void escapedColonsInPaths() throws IOException {
        Path f = dir.resolve("a:b c");
        Files.write(f, new byte[1 << 20]);
        String esc = f.toString().replace(":", "\\:");
        assertThat(Cli.run("direct", "init", "-r", "LS:R:" + esc + ":0").exit()).isZero();
        assertThat(Cli.run("direct", "dump", esc).out()).contains(" R 0000000000 0000 0000 0\n");
        assertThat(Cli.run("direct", "init", "-s", "LS:1:" + esc + ":0").exit()).isZero();
        assertThat(Cli.run("direct", "read_leader", "-s", "LS:1:" + esc + ":0").exit()).isZero();
    }
}
