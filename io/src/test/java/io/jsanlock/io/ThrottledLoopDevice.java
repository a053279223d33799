package io.jsanlock.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A loop device whose I/O can be made to hang in the kernel and then resume: the test JVM
 * is moved into a blkio cgroup of its own whose throttle on this one device is set to 1
 * byte/s (a 512-byte I/O would take 512 s), and removing the throttle dispatches the held
 * requests at once. A real hung device as the kernel sees it (like {@code dmsetup suspend},
 * which this kernel lacks: no device-mapper): a pread blocks in the kernel, an AIO request
 * stays in flight. Needs root and cgroup v1 blkio; close() restores everything.
 */
final class ThrottledLoopDevice implements AutoCloseable {
    private static final Path BLKIO = Path.of("/sys/fs/cgroup/blkio");
    final LoopDevice loop;
    private final String majMin;
    private final Path cgroup;

    private ThrottledLoopDevice(LoopDevice loop, String majMin, Path cgroup) {
        this.loop = loop;
        this.majMin = majMin;
        this.cgroup = cgroup;
    }

    static ThrottledLoopDevice attach(Path backing) throws IOException, InterruptedException {
        if (!Files.isDirectory(BLKIO)) {
            throw new AssertionError("the hung-device tests need cgroup v1 blkio at " + BLKIO);
        }
        LoopDevice loop = LoopDevice.attach(backing, 512);
        String name = Path.of(loop.device).getFileName().toString();
        String majMin = Files.readString(Path.of("/sys/block", name, "dev")).trim();
        Path cg = BLKIO.resolve("jsanlock-io-test-" + ProcessHandle.current().pid() + "-" + name);
        Files.createDirectories(cg);
        Files.writeString(cg.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        return new ThrottledLoopDevice(loop, majMin, cg);
    }

    String device() {
        return loop.device;
    }

    /** From now on, reads and writes of the device hang in the kernel. */
    void hang() throws IOException {
        Files.writeString(cgroup.resolve("blkio.throttle.read_bps_device"), majMin + " 1");
        Files.writeString(cgroup.resolve("blkio.throttle.write_bps_device"), majMin + " 1");
    }

    /** The device resumes: held requests are dispatched now. */
    void resume() throws IOException {
        Files.writeString(cgroup.resolve("blkio.throttle.read_bps_device"), majMin + " 0");
        Files.writeString(cgroup.resolve("blkio.throttle.write_bps_device"), majMin + " 0");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            resume();
        } finally {
            Files.writeString(BLKIO.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    Files.delete(cgroup);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(20);
                }
            }
            loop.close();
        }
    }
}
