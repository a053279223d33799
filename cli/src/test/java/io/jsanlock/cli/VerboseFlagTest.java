package io.jsanlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which {@code -v} words are jsanlock's progress flag, and that nothing else is taken out. */
class VerboseFlagTest {
    static String[] args(String... a) {
        return a;
    }

    @Test
    void aVWhereAnOptionLetterIsExpectedIsTakenOutAnywhereBeforeC() {
        String[] a = args("client", "add_lockspace", "-v", "-s", "LS:1:/d:0", "-o", "1");
        assertThat(VerboseFlag.present(a, 2)).isTrue();
        assertThat(VerboseFlag.strip(a, 2)).containsExactly("client", "add_lockspace", "-s", "LS:1:/d:0", "-o", "1");
        String[] last = args("client", "rem_lockspace", "-s", "LS:1:/d:0", "-v");
        assertThat(VerboseFlag.strip(last, 2)).containsExactly("client", "rem_lockspace", "-s", "LS:1:/d:0");
        String[] afterD = args("client", "status", "-D", "-v");
        assertThat(VerboseFlag.strip(afterD, 2)).containsExactly("client", "status", "-D");
    }

    @Test
    void aVThatIsAnOptionsValueOrAProgramsArgumentStays() {
        String[] value = args("client", "set_event", "-s", "LS", "-e", "-v");
        assertThat(VerboseFlag.present(value, 2)).isFalse();
        assertThat(VerboseFlag.strip(value, 2)).containsExactly(value);
        String[] program = args("client", "command", "-r", "LS:R:/d:1048576", "-c", "/bin/ls", "-v");
        assertThat(VerboseFlag.present(program, 2)).isFalse();
        assertThat(VerboseFlag.strip(program, 2)).containsExactly(program);
    }

    @Test
    void noVNoChange() {
        String[] a = args("client", "status");
        assertThat(VerboseFlag.present(a, 2)).isFalse();
        assertThat(VerboseFlag.strip(a, 2)).containsExactly(a);
    }
}
