package io.jsanlock.vm.guest;

import io.jsanlock.posix.Errno;
import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a {@link GuestLauncher} process and drives it through register, (acquire by the
 * caller), exec. Errors that happen before exec are reported the way libvirt reports errors
 * from its pre-exec child (vm-leases.md §5.3).
 */
public final class GuestSpawner {
    /** A launcher that is registered with the lease daemon and waits for {@link #run}. */
    public static final class Pending {
        private final Process process;
        private final BufferedReader out;
        private final long pid;

        Pending(Process process, BufferedReader out, long pid) {
            this.process = process;
            this.out = out;
            this.pid = pid;
        }

        public long pid() {
            return pid;
        }
    }

    private GuestSpawner() {
    }

    /** Wraps a lock driver message as the user sees an error of libvirt's pre-exec child. */
    public static VirError preExec(String lockDriverMessage) {
        return new VirError(VirErrorCode.INTERNAL_ERROR,
                "Process exited prior to exec: libvirt: Lock Driver error : " + lockDriverMessage);
    }

    /** Starts the launcher and waits until the guest-to-be is registered with the daemon. */
    public static Pending register(List<String> argv, String runDir, Path log, String killPath, String killArgs)
            throws VirError {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-Xmx32m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(GuestLauncher.class.getName());
        cmd.add(runDir);
        cmd.add(log.toString());
        cmd.add(killPath == null ? "" : killPath);
        cmd.add(killArgs == null ? "" : killArgs);
        cmd.add("--");
        cmd.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "cannot start guest launcher: " + e.getMessage());
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        try {
            line = out.readLine();
        } catch (IOException e) {
            line = null;
        }
        if (line != null && line.startsWith("registered ")) {
            return new Pending(p, out, Long.parseLong(line.substring("registered ".length()).trim()));
        }
        p.destroyForcibly();
        waitQuietly(p);
        if (line != null && line.startsWith("error ")) {
            String[] f = line.split(" ");
            int code = Integer.parseInt(f[2]);
            String detail = code <= -200 ? "error " + code : Errno.strerror(-code);
            switch (f[1]) {
                case "socket", "connect", "register" ->
                    throw preExec("Failed to open socket to sanlock daemon: " + detail);
                case "killpath" -> throw preExec("Failed to register lock failure action: " + detail);
                case "restrict" -> throw preExec("Failed to restrict process: " + detail);
                default -> throw preExec(line);
            }
        }
        throw new VirError(VirErrorCode.INTERNAL_ERROR, "guest launcher exited before registering (see " + log + ")");
    }

    /** Lets the registered launcher exec the guest program; returns the running guest. */
    public static GuestProcess run(Pending pending) throws VirError {
        try {
            OutputStream in = pending.process.getOutputStream();
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            in.close();
            String line = pending.out.readLine(); // null (EOF) once the exec has happened
            if (line != null) {
                waitQuietly(pending.process);
                String[] f = line.split(" ");
                int errno = f.length > 1 ? Integer.parseInt(f[f.length - 1]) : 5;
                throw new VirError(VirErrorCode.INTERNAL_ERROR,
                        "process exited while connecting to monitor: cannot execute guest program: "
                                + Errno.strerror(errno));
            }
        } catch (IOException e) {
            abort(pending);
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "guest launcher failed: " + e.getMessage());
        }
        long start = GuestProcess.startTimeOf(pending.pid).orElse(-1);
        GuestProcess g = new GuestProcess(pending.pid, start);
        if (!g.alive()) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "guest process exited right after start");
        }
        return g;
    }

    /** Kills a launcher that must not run its guest (for example when acquiring failed). */
    public static void abort(Pending pending) {
        pending.process.destroyForcibly();
        waitQuietly(pending.process);
    }

    private static void waitQuietly(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
