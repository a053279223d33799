package io.jsanlock.vm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What virsh users type first: {@code --version}, {@code -v}, {@code --help}, {@code help CMD}, {@code CMD --help}. */
class UsageAndVersionTest {
    record Result(int rc, String out, String err) {}

    static Result jvirsh(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Result(Main.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void versionPrintsTheNumberAloneAsVirshDoes() {
        Result r = jvirsh("--version");
        assertThat(r.rc()).isZero();
        assertThat(r.err()).isEmpty();
        // the build's project version (filtered into version.properties), not a placeholder
        assertThat(r.out()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
        assertThat(jvirsh("-v")).isEqualTo(r);
    }

    @Test
    void helpListsTheCommandsAndEachCommandHasItsOwnHelp() {
        Result top = jvirsh("--help");
        assertThat(top.rc()).isZero();
        assertThat(top.out()).contains("--version").contains("start").contains("dominfo").contains("agent");
        assertThat(jvirsh("-h")).isEqualTo(top);
        Result start = jvirsh("start", "--help");
        assertThat(start.rc()).isZero();
        assertThat(start.err()).isEmpty();
        assertThat(start.out()).startsWith("Usage: jvirsh start").contains("domain");
        assertThat(jvirsh("help", "start")).isEqualTo(start);
    }
}
