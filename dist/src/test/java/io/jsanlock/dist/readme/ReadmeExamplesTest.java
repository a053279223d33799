package io.jsanlock.dist.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Reference;
import io.jsanlock.testkit.Repo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```sh} block under README.md's "## Using it", verbatim and in order, is one bash
 * script run with {@code set -e} from the repository root: every command must exit 0, except a
 * line whose comment says {@code # fails}, which must exit non-zero. So a README change that
 * breaks an example fails here.
 *
 * <p>The examples use fixed /tmp paths (/tmp/leases, /tmp/run1, ...) as a user would. So that
 * this test neither clobbers nor is disturbed by anything else on the machine, the script runs
 * in its own mount namespace with a private tmpfs on /tmp (needs root, as the other end-to-end
 * tests do); its processes (daemon, the command's /bin/sleep, the guest) are killed by pid on
 * exit, and the tmpfs goes with the namespace.
 */
class ReadmeExamplesTest {
    private static final Pattern EXPECTED_FAILURE = Pattern.compile("#.*\\bfails\\b");

    @Test
    @Tag("slow") // a lockspace join (~3 s) and a dozen JVM start-ups
    void everyUsingItExampleRunsAsWritten() throws Exception {
        Reference.require(); // the README calls the reference `sanlock client`
        String readme = Files.readString(Repo.root().resolve("README.md"), StandardCharsets.UTF_8);
        List<String> blocks = shBlocksUnder(readme, "## Using it");
        assertThat(blocks).as("```sh blocks under ## Using it").hasSizeGreaterThanOrEqualTo(4);
        long start = System.nanoTime();
        Outcome o = run(script(blocks));
        System.out.printf("README examples: %d blocks ran in %.1f s%n", blocks.size(), (System.nanoTime() - start) / 1e9);
        assertThat(o.exit()).as("README examples script (exit 0 expected)\n--- script ---\n%s\n--- output ---\n%s",
                numbered(o.script()), o.output()).isZero();
        assertThat(o.output()).as("the script reached its end").contains("README examples: all ran");
    }

    @Test
    void aFailingExampleFailsTheRun() throws Exception {
        String readme = "## Using it\n\n```sh\ntrue\nfalse\necho after\n```\n\n## Next\n";
        Outcome o = run(script(shBlocksUnder(readme, "## Using it")));
        assertThat(o.exit()).isNotZero();
        assertThat(o.output()).contains("README command failed (exit 1) at script line").doesNotContain("after");
    }

    @Test
    void aCommandMarkedFailsMustFail() throws Exception {
        String fails = "## Using it\n```sh\nfalse   # fails: no such thing\n```\n";
        assertThat(run(script(shBlocksUnder(fails, "## Using it"))).exit()).isZero();
        String doesNotFail = "## Using it\n```sh\ntrue   # fails: said to\n```\n";
        Outcome o = run(script(shBlocksUnder(doesNotFail, "## Using it")));
        assertThat(o.exit()).isNotZero();
        assertThat(o.output()).contains("expected to fail but exited 0");
    }

    @Test
    void onlyShBlocksOfTheSectionAreTaken() {
        String md = "## Before\n```sh\nno\n```\n## Using it\n### A\n```sh\na\n```\n```text\nnot run\n```\n"
                + "### B\n```sh\nb1\nb2\n```\n## After\n```sh\nno\n```\n";
        assertThat(shBlocksUnder(md, "## Using it")).containsExactly("a\n", "b1\nb2\n");
    }

    /** The bodies of the {@code ```sh} blocks between {@code heading} and the next "## " heading. */
    static List<String> shBlocksUnder(String markdown, String heading) {
        List<String> blocks = new ArrayList<>();
        boolean inSection = false;
        StringBuilder block = null;
        for (String line : markdown.split("\n", -1)) {
            if (block != null) {
                if (line.equals("```")) {
                    blocks.add(block.toString());
                    block = null;
                } else {
                    block.append(line).append('\n');
                }
            } else if (line.startsWith("## ")) {
                inSection = line.equals(heading);
            } else if (inSection && line.equals("```sh")) {
                block = new StringBuilder();
            }
        }
        assertThat(block).as("unterminated ```sh block").isNull();
        return blocks;
    }

    /**
     * The blocks as one bash script: each line verbatim; a line marked {@code # fails} runs with
     * errexit off and must exit non-zero. The EXIT trap kills what the examples started, by pid.
     */
    static String script(List<String> blocks) {
        StringBuilder s = new StringBuilder();
        s.append("set -e\n");
        // kill_if PID WORD: kill -9 PID if it is still a process whose command line has WORD (no stale pid's reuse).
        s.append("kill_if() { [ -n \"$1\" ] && tr '\\0' ' ' </proc/$1/cmdline 2>/dev/null | grep -q -- \"$2\" && kill -9 \"$1\" 2>/dev/null || true; }\n");
        s.append("cleanup() {\n");
        s.append("  kill_if \"$(sed -n 's/^pid=//p' /tmp/Test1/run/test4_sanlock.status 2>/dev/null || true)\" sleep\n");
        s.append("  kill_if \"${command_pid:-}\" sleep\n");
        s.append("  kill_if \"$(cat /tmp/run1/sanlock.pid 2>/dev/null || true)\" daemon\n");
        s.append("}\n");
        s.append("trap cleanup EXIT\n");
        s.append("trap 'exit 143' TERM\n");
        s.append("trap 'echo \"README command failed (exit $?) at script line $LINENO: $BASH_COMMAND\" >&2' ERR\n");
        for (String block : blocks) {
            for (String line : block.lines().toList()) {
                if (EXPECTED_FAILURE.matcher(line).find()) {
                    s.append("set +e\n").append(line).append('\n');
                    s.append("readme_status=$?\nset -e\n");
                    s.append("if [ \"$readme_status\" -eq 0 ]; then echo 'README command expected to fail but exited 0: ")
                            .append(line.replace("'", "'\\''")).append("' >&2; exit 97; fi\n");
                } else {
                    s.append(line).append('\n');
                }
            }
        }
        s.append("echo 'README examples: all ran'\n");
        return s.toString();
    }

    record Outcome(int exit, String output, String script) {}

    /** Runs the script as root in a private mount namespace with a fresh tmpfs on /tmp. */
    static Outcome run(String script) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "readme-examples");
        Path file = dir.resolve("examples.sh");
        Path log = dir.resolve("output.log");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "bash", "-c",
                "mount -t tmpfs -o size=256m readme-tmp /tmp && exec bash \"$0\"", file.toString())
                .directory(Repo.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().merge("PATH", "/usr/sbin:/sbin", (a, b) -> a + ":" + b);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            // Stop the command it waits on, then let its EXIT trap kill what it started.
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
        }
        return new Outcome(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8), script);
    }

    private static String numbered(String script) {
        StringBuilder b = new StringBuilder();
        List<String> lines = script.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            b.append(String.format("%4d  %s%n", i + 1, lines.get(i)));
        }
        return b.toString();
    }
}
