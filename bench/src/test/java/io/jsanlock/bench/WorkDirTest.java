package io.jsanlock.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default scratch directory goes after a run that succeeded; a named one, or a failed run's, stays. */
class WorkDirTest {
    @TempDir
    Path tmp;

    Path filled(String name) throws Exception {
        Path d = tmp.resolve(name);
        Files.createDirectories(d.resolve("run-file/reference"));
        Files.writeString(d.resolve("run-file/reference/daemon.log"), "log");
        return d;
    }

    @Test
    void theDefaultDirectoryIsRemovedAfterARunThatSucceeded() throws Exception {
        Path d = filled("default");
        assertThat(WorkDir.use(d, false, "bench", System.err, () -> 42)).isEqualTo(42);
        assertThat(d).doesNotExist();
    }

    @Test
    void aDirectoryTheUserNamedStays() throws Exception {
        Path d = filled("named");
        WorkDir.use(d, true, "bench", System.err, () -> 1);
        assertThat(d.resolve("run-file/reference/daemon.log")).exists();
    }

    @Test
    void aFailedRunKeepsItsDirectoryAndSaysWhere() throws Exception {
        Path d = filled("failed");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertThatThrownBy(() -> WorkDir.use(d, false, "bench", new PrintStream(log, true, StandardCharsets.UTF_8), () -> {
            throw new IllegalStateException("daemon did not start");
        })).hasMessage("daemon did not start");
        assertThat(d.resolve("run-file/reference/daemon.log")).exists();
        assertThat(log.toString(StandardCharsets.UTF_8)).isEqualTo("bench: daemon logs and storage kept in " + d + "\n");
    }
}
