package io.jsanlock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/bench's command line as a user meets it: help on stdout with exit 0, a bad option named once with exit 2. */
class BenchUsageTest {
    record Run(int exit, String out, String err) {
    }

    static Run bench(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(BenchSmokeTest.REPO.resolve("bin/bench").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        // the output is a few lines: both pipes fit in their buffers until the process exits
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bin/bench exits").isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsageOnceOnStdoutAndExitsZero() throws Exception {
        Run r = bench("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(BenchOptions.USAGE);
    }

    @Test
    void anUnknownOptionIsNamedOnceThenTheUsageOnStderrWithExitTwo() throws Exception {
        Run r = bench("--bogus");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("bench: unknown option --bogus\n" + BenchOptions.USAGE);
    }
}
