package io.jsanlock.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A loop device over a file, for tests of real block-device I/O. Detach it in teardown. */
final class LoopDevice implements AutoCloseable {
    final String device;

    private LoopDevice(String device) {
        this.device = device;
    }

    static LoopDevice attach(Path file, int sectorSize) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("losetup", "-f", "--show"));
        if (sectorSize != 512) {
            cmd.add("--sector-size");
            cmd.add(Integer.toString(sectorSize));
        }
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.startsWith("/dev/loop")) {
            throw new AssertionError("losetup failed (tests need root and loop devices): " + out);
        }
        return new LoopDevice(out);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("losetup", "-d", device).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
