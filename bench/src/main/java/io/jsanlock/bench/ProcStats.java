package io.jsanlock.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc says about one process: resident memory, threads, CPU time. */
record ProcStats(double rssMiB, int threads, double cpuSeconds) {
    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    private static final double TICKS = 100.0;

    static ProcStats of(long pid) throws IOException {
        double rss = Double.NaN;
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.substring(6).replace("kB", "").strip()) / 1024.0;
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring(8).strip());
            }
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        return new ProcStats(rss, threads, cpu);
    }

    /** The larger RSS and thread count of the two (CPU time: the later one's). */
    ProcStats max(ProcStats o) {
        return new ProcStats(Math.max(rssMiB, o.rssMiB), Math.max(threads, o.threads), Math.max(cpuSeconds, o.cpuSeconds));
    }
}
