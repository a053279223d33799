package io.jsanlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code direct dump} on every vector prints exactly what the reference
 * printed (../shared/vectors/dumps.txt: 60 runs with -f 0/2 and offsets/sizes).
 */
class DumpVectorsTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> sections() throws IOException {
        String txt = Files.readString(Cli.shared().resolve("vectors/dumps.txt"), StandardCharsets.ISO_8859_1);
        List<Arguments> out = new ArrayList<>();
        for (String sec : txt.split("(?m)^### ")) {
            if (sec.isEmpty()) {
                continue;
            }
            int nl = sec.indexOf('\n');
            String head = sec.substring(0, nl);
            String body = sec.substring(nl + 1);
            out.add(Arguments.of(head, body));
        }
        assertThat(out).hasSizeGreaterThanOrEqualTo(60);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sections")
    void dumpMatchesTheReference(String head, String expected) throws IOException {
        // head: "sanlock direct dump <file>[:off[:size]] -f N"
        String[] words = head.split(" ");
        String target = words[3];
        String file = target.split(":")[0];
        Path img = Cli.vector(dir, file.substring(0, file.length() - ".img".length()));
        String[] args = new String[words.length - 1];
        args[0] = "direct";
        args[1] = "dump";
        args[2] = img + target.substring(file.length());
        System.arraycopy(words, 4, args, 3, words.length - 4);
        Cli.Result r = Cli.run(args);
        assertThat(r.out()).as(Arrays.toString(args)).isEqualTo(expected);
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
    }
}
