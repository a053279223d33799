package io.jsanlock.cli;

import io.jsanlock.client.SanlockClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jsanlock-lockspaces without a daemon: the file's checks, and retries that end in a failure. */
class BootLockspacesTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String action, int attempts) {
        return BootLockspaces.run(new String[] {action}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new SanlockClient(tmp.resolve("no-daemon")), attempts, 10);
    }

    @Test
    void badLinesAreNamedByFileAndLineAndFailTheRun() throws IOException {
        Path file = tmp.resolve("lockspaces.conf");
        Files.writeString(file, "# boot\nLS:1:/dev/x:0 10\n\nLS2:0:/dev/y:0\nLS3:1:/dev/z:0 ten\nLS4:1:/dev/w:1048576\n");
        BootLockspaces.fileOverride = file;
        try {
            assertEquals(1, run("list", 1));
        } finally {
            BootLockspaces.fileOverride = null;
        }
        assertEquals("LS:1:/dev/x:0 io_timeout 10\nLS4:1:/dev/w:1048576 io_timeout 10\n", out.toString(StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains(file + ":4: host_id must be 1..2000"), e);
        assertTrue(e.contains(file + ":5: expected NAME:HOST_ID:PATH:OFFSET [IO_TIMEOUT]"), e);
    }

    @Test
    void joinWithoutADaemonRetriesThenReportsEachLockspace() throws IOException {
        Path file = tmp.resolve("lockspaces.conf");
        Files.writeString(file, "LS:1:/dev/x:0 1\n");
        BootLockspaces.fileOverride = file;
        try {
            assertEquals(1, run("join", 3));
        } finally {
            BootLockspaces.fileOverride = null;
        }
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.startsWith("LS: joining as host_id 1 (io_timeout 1): waiting 2 s"), o);
        assertTrue(o.contains("LS: attempt 1 failed: "), o);
        assertTrue(o.contains("LS: attempt 2 failed: "), o);
        assertTrue(o.contains("LS: not joined after 3 attempts: "), o);
        assertTrue(o.endsWith("0 of 1 lockspaces joined\n"), o);
    }

    @Test
    void aMissingFileJoinsNothing() {
        BootLockspaces.fileOverride = tmp.resolve("absent.conf");
        try {
            assertEquals(0, run("join", 1));
        } finally {
            BootLockspaces.fileOverride = null;
        }
        assertEquals("no " + tmp.resolve("absent.conf") + ": no lockspace to join\n", out.toString(StandardCharsets.UTF_8));
    }
}
