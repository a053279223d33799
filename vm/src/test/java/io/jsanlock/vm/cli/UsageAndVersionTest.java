package io.jsanlock.vm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What virsh users type first: {@code --version}, {@code -v}, {@code --help}, {@code help CMD}, {@code CMD --help}. */
class UsageAndVersionTest {
    static JvirshInProcess.Result jvirsh(String... args) {
        return JvirshInProcess.run(args);
    }

    @Test
    void versionPrintsTheNumberAloneAsVirshDoes() {
        JvirshInProcess.Result r = jvirsh("--version");
        assertThat(r.rc()).isZero();
        assertThat(r.err()).isEmpty();
        // the build's project version (filtered into version.properties), not a placeholder
        assertThat(r.out()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
        assertThat(jvirsh("-v")).isEqualTo(r);
    }

    @Test
    void helpListsTheCommandsAndEachCommandHasItsOwnHelp() {
        JvirshInProcess.Result top = jvirsh("--help");
        assertThat(top.rc()).isZero();
        assertThat(top.out()).contains("--version").contains("start").contains("dominfo").contains("agent");
        assertThat(jvirsh("-h")).isEqualTo(top);
        JvirshInProcess.Result start = jvirsh("start", "--help");
        assertThat(start.rc()).isZero();
        assertThat(start.err()).isEmpty();
        assertThat(start.out()).startsWith("Usage: jvirsh start").contains("domain");
        assertThat(jvirsh("help", "start")).isEqualTo(start);
    }
}
