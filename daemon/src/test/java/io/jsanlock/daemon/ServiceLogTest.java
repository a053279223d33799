package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log file at -L, and the journal's stderr lines at -S when systemd runs the daemon. */
class ServiceLogTest {
    @TempDir
    Path tmp;

    @Test
    void theLogFileGetsLinesAtOrAboveTheLogfilePriorityAppended() throws Exception {
        Path file = tmp.resolve("sanlock.log");
        Files.writeString(file, "kept\n");
        DaemonOptions o = DaemonOptions.parse("-L", "4", "-S", "-1");
        DaemonLog log = ServiceLog.create(MonotonicClock.SYSTEM, null, o, Map.of("JSANLOCK_LOG_FILE", file.toString()));
        log.warn("a warning");
        log.info("an info");
        log.error("an error");
        String text = Files.readString(file);
        assertTrue(text.startsWith("kept\n"), text);
        assertTrue(text.matches("(?s)kept\n\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\d+ \\[\\d+\\]: a warning\n"
                + "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\d+ \\[\\d+\\]: an error\n"), text);
    }

    @Test
    void underSystemdTheSyslogLinesGoToStderrWithTheirPriority() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        DaemonOptions o = DaemonOptions.parse("-L", "-1", "-S", "4");
        DaemonLog log = ServiceLog.create(MonotonicClock.SYSTEM, new PrintStream(err, true, StandardCharsets.UTF_8), o,
                Map.of("JOURNAL_STREAM", "8:1234"));
        log.warn("a warning");
        log.info("an info");
        log.error("an error");
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("<4>") && lines[0].endsWith("]: a warning"), lines[0]);
        assertTrue(lines[1].startsWith("<3>") && lines[1].endsWith("]: an error"), lines[1]);
    }

    @Test
    void anUnwritableLogFileMeansNoFileLogNotAFailure() throws Exception {
        DaemonOptions o = DaemonOptions.parse("-L", "7", "-S", "-1");
        DaemonLog log = ServiceLog.create(MonotonicClock.SYSTEM, null, o,
                Map.of("JSANLOCK_LOG_FILE", tmp.resolve("no-such-dir/sanlock.log").toString()));
        log.error("still logged in memory");
        assertTrue(new String(log.dump(), StandardCharsets.UTF_8).endsWith("still logged in memory"));
    }
}
