package io.jsanlock.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Scratch directories for tests that need one beyond a single test method (a daemon shared by a
 * class, a run directory whose name a socket path must fit): created under java.io.tmpdir and
 * removed, with everything in them, when the test JVM exits. JUnit's {@code @TempDir} is the
 * first choice; this is for the rest, which used to leave their directories behind (daemon logs,
 * lease files: ~0.5 GiB of /tmp per run of the suite).
 */
public final class TempDirs {
    private static final List<Path> CREATED = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::removeAll, "testkit-tempdirs"));
    }

    private TempDirs() {
    }

    /** A new directory named {@code prefix} + a random suffix, removed at JVM exit. */
    public static Path create(String prefix) throws IOException {
        Path d = Files.createTempDirectory(prefix);
        synchronized (CREATED) {
            CREATED.add(d);
        }
        return d;
    }

    private static void removeAll() {
        List<Path> dirs;
        synchronized (CREATED) {
            dirs = new ArrayList<>(CREATED);
        }
        for (Path d : dirs) {
            try (Stream<Path> s = Files.walk(d)) { // does not follow symbolic links
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | RuntimeException e) {
                // best effort at exit: a file a process still writes may come back; nothing to report to
            }
        }
    }
}
