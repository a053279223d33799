package io.jsanlock.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The benchmarks' scratch directory: the daemons' run directories and logs (the reference's
 * log of one bin/bench run is ~20 MiB) and what is left of the lease storage. A directory the
 * user named ({@code --dir}) is theirs and stays; the default one (/var/tmp/...-PID) is
 * removed after a run that succeeded and kept, with a line saying where, after one that failed.
 */
final class WorkDir {
    private WorkDir() {
    }

    /** Runs {@code run} in {@code dir}, then removes or keeps {@code dir} as said above. */
    static <T> T use(Path dir, boolean named, String tool, PrintStream log, Run<T> run) throws Exception {
        T result;
        try {
            result = run.call();
        } catch (Exception | Error e) {
            log.println(tool + ": daemon logs and storage kept in " + dir);
            throw e;
        }
        if (!named) {
            removeTree(dir);
        }
        return result;
    }

    static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    /** A benchmark run. */
    @FunctionalInterface
    interface Run<T> {
        T call() throws Exception;
    }
}
