package io.jsanlock.vm.guest;

import io.jsanlock.base.ByteStrings;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.posix.Posix;
import io.jsanlock.wire.CommandFlags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The process that becomes the guest. It plays the part of libvirt's pre-exec QEMU child
 * (vm-leases.md §4.1, §4.2):
 * <ol>
 * <li>it registers with the host's lease daemon on a socket it creates itself, without
 * close-on-exec, so the registration's SO_PEERCRED pid is this process's pid, which execve
 * keeps: the guest program <em>is</em> the registered client;</li>
 * <li>it registers the lock failure helper (killpath) when the domain has an on_lockfailure
 * action, then restricts the connection (RESTRICT ALL, as libvirt), whose reply also proves
 * the daemon has processed the registration;</li>
 * <li>it reports {@code registered <pid>} on stdout and waits: jvirsh now acquires the leases
 * on behalf of that pid ("QEMU starts paused");</li>
 * <li>on {@code go} it points stdin at /dev/null and stdout/stderr at the domain log and
 * execs the guest program. On anything else it exits, and the daemon sees the registration
 * close.</li>
 * </ol>
 * Because the lease holder is the guest's own pid and connection, kill -9 of the guest frees
 * its leases at once, and no supervisor exists whose death could free a lease while the
 * guest still runs.
 *
 * <p>Usage: {@code GuestLauncher RUN_DIR LOG KILLPATH KILLARGS -- PROGRAM ARGS...} (empty
 * KILLPATH = none).
 */
public final class GuestLauncher {
    private GuestLauncher() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 6 || !"--".equals(args[4])) {
            System.out.println("error usage 22");
            System.exit(2);
        }
        String runDir = args[0];
        String log = args[1];
        String killPath = args[2];
        String killArgs = args[3];
        List<String> argv = List.of(args).subList(5, args.length);

        // Leave jvirsh's session so its terminal signals and its exit do not reach the guest.
        Posix.setsid();
        SanlockClient client = new SanlockClient(Path.of(runDir));
        Registration reg;
        try {
            reg = client.register();
        } catch (SanlockException e) {
            fail("connect", e.code());
            return;
        }
        try {
            if (!killPath.isEmpty()) {
                reg.killpath(killPath, killArgs, false);
            }
        } catch (SanlockException e) {
            fail("killpath", e.code());
        }
        try {
            // libvirt restricts its child after registering; the reply also proves the daemon
            // has processed the (reply-less) REGISTER before jvirsh acquires for our pid.
            reg.restrict(CommandFlags.RESTRICT_ALL);
            reg.setInheritable(true);
        } catch (SanlockException e) {
            fail("restrict", e.code());
        }
        int fd = reg.fd();
        long pid = ProcessHandle.current().pid();
        System.out.println("registered " + pid);
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        if (!"go".equals(line)) {
            System.exit(3);
        }
        // Keep a close-on-exec copy of the pipe to jvirsh: EOF on it tells jvirsh the exec
        // happened; an exec failure is reported on it instead.
        int report = Posix.fcntl(1, Posix.F_DUPFD_CLOEXEC, 3).intValue();
        Posix.Result devNull = Posix.open("/dev/null", Posix.O_RDWR, 0);
        // the log path is Java text (from jvirsh's argv): open(2) gets its UTF-8 bytes
        Posix.Result logFd = Posix.open(ByteStrings.utf8(log), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_APPEND, 0600);
        if (devNull.failed() || logFd.failed()) {
            reportAndExit(report, "error open " + (devNull.failed() ? devNull.errno() : logFd.errno()));
        }
        Posix.dup2(devNull.intValue(), 0);
        Posix.dup2(logFd.intValue(), 1);
        Posix.dup2(logFd.intValue(), 2);
        closeOnExecAllBut(fd, report);
        Posix.unblockAllSignals();
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(ByteStrings.utf8(e.getKey() + "=" + e.getValue()));
        }
        List<String> cargv = new ArrayList<>();
        for (String arg : argv) {
            cargv.add(ByteStrings.utf8(arg));
        }
        // Java text to the exec: UTF-8 bytes, as jvirsh passed them
        Posix.Result failed = Posix.execve(cargv.get(0), cargv, env);
        reportAndExit(report, "execfail " + failed.errno());
    }

    private static void reportAndExit(int fd, String msg) {
        Posix.writeAll(fd, (msg + "\n").getBytes(StandardCharsets.UTF_8));
        System.exit(127);
    }

    /** Reports a failure before exec: {@code error STAGE CODE} (a sanlock result or -errno). */
    private static void fail(String stage, int code) {
        System.out.println("error " + stage + " " + code);
        System.out.flush();
        System.exit(2);
    }

    /** Marks every inherited descriptor except the ones the guest needs as close-on-exec. */
    private static void closeOnExecAllBut(int keep, int report) {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : ds) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            return; // best effort: leaking a descriptor into the guest is harmless
        }
        for (int f : fds) {
            if (f > 2 && f != keep && f != report) {
                Posix.fcntl(f, Posix.F_SETFD, Posix.FD_CLOEXEC);
            }
        }
        Posix.fcntl(keep, Posix.F_SETFD, 0);
    }
}
