package io.jsanlock.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Slow or hung I/O on one host's view of the lease area, without device-mapper (not
 * available here): each host reaches the backing file through its own loop device, and the
 * cgroup-v1 blkio throttle limits what the processes of one cgroup may submit to one device.
 * The host's daemon is moved into its own cgroup and limited on its own loop device only, so
 * the other hosts keep full speed on the same disk. A limit in I/Os per second delays each
 * I/O behind those queued before it (slow storage, at times past io_timeout when a burst of
 * ballots queues up); a limit of 1 byte per second holds every I/O for minutes (a hung path:
 * reads abandoned after io_timeout). Clearing the limit dispatches what was held, as a path
 * coming back would.
 */
final class BlkioThrottle implements AutoCloseable {
    static final Path ROOT = Path.of("/sys/fs/cgroup/blkio");
    private static final List<String> FILES = List.of("blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
            "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device");

    private final Path dir;

    private BlkioThrottle(Path dir) {
        this.dir = dir;
    }

    /** Whether this machine lets us throttle (cgroup v1 blkio mounted and writable). */
    static boolean available() {
        return Files.isWritable(ROOT.resolve("cgroup.procs")) && Files.exists(ROOT.resolve(FILES.getFirst()));
    }

    static BlkioThrottle create(String name) throws IOException {
        Path dir = ROOT.resolve(name);
        Files.createDirectories(dir);
        return new BlkioThrottle(dir);
    }

    /** "major:minor" of a block device, as the throttle files want it. */
    static String deviceNumber(String device) throws IOException {
        return Files.readString(Path.of("/sys/class/block", Path.of(device).getFileName().toString(), "dev")).strip();
    }

    /** Moves {@code pid} (the whole process) and its descendants into this cgroup. */
    void add(long pid) throws IOException {
        write(dir.resolve("cgroup.procs"), Long.toString(pid));
        for (ProcessHandle d : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
            write(dir.resolve("cgroup.procs"), Long.toString(d.pid()));
        }
    }

    /** At most {@code iops} reads and writes per second on {@code device}. */
    void limitIops(String device, int iops) throws IOException {
        String dev = deviceNumber(device);
        write(dir.resolve("blkio.throttle.read_iops_device"), dev + " " + iops);
        write(dir.resolve("blkio.throttle.write_iops_device"), dev + " " + iops);
    }

    /** One byte per second: every I/O on {@code device} waits for minutes. */
    void hang(String device) throws IOException {
        String dev = deviceNumber(device);
        write(dir.resolve("blkio.throttle.read_bps_device"), dev + " 1");
        write(dir.resolve("blkio.throttle.write_bps_device"), dev + " 1");
    }

    /** Removes every limit on {@code device}; held I/O is dispatched. */
    void clear(String device) throws IOException {
        String dev = deviceNumber(device);
        for (String f : FILES) {
            write(dir.resolve(f), dev + " 0");
        }
    }

    /** Moves what is left back to the root cgroup and removes this one. */
    @Override
    public void close() {
        try {
            for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                try {
                    write(ROOT.resolve("cgroup.procs"), pid.strip());
                } catch (IOException e) {
                    // the process exited meanwhile
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // best effort at teardown: an empty cgroup left behind holds nothing
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n");
    }
}
