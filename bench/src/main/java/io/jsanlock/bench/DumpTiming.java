package io.jsanlock.bench;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-process time of {@code direct dump PATH:OFFSET:SIZE} over 100 resource areas,
 * for {@code bin/jsanlock} (JVM start-up included) and the reference {@code sanlock}.
 */
final class DumpTiming {
    private DumpTiming() {
    }

    static double run(List<String> command, BenchStorage s) throws IOException, InterruptedException {
        long offset = BenchStorage.offset(s.resourceArea(DaemonKind.JSANLOCK, 0));
        int areas = Math.min(100, s.resources);
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("direct", "dump", s.path + ":" + offset + ":" + areas * BenchStorage.AREA));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(new File("/dev/null")).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        String err = new String(p.getErrorStream().readAllBytes());
        int rc = p.waitFor();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + rc + ": " + err.strip());
        }
        return secs;
    }
}
