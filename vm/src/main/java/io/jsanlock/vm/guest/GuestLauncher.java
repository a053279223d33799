package io.jsanlock.vm.guest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private static final int MAGIC = 0x04282010;
    private static final int CMD_REGISTER = 1;
    private static final int CMD_RESTRICT = 10;
    private static final int CMD_KILLPATH = 17;
    private static final int RESTRICT_ALL = 0x1;

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
        Libc.setsid();
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0);
        if (fd < 0) {
            fail("socket", Libc.errno());
        }
        if (Libc.connectUnix(fd, runDir + "/sanlock.sock") < 0) {
            fail("connect", Libc.errno());
        }
        if (!Libc.writeAll(fd, header(CMD_REGISTER, 0, 32, 0, 0))) {
            fail("register", Libc.errno());
        }
        if (!killPath.isEmpty()) {
            ByteBuffer body = ByteBuffer.allocate(32 + 256).order(ByteOrder.LITTLE_ENDIAN);
            body.put(header(CMD_KILLPATH, 0, 32 + 256, 0, -1));
            body.put(fixed(killPath, 128)).put(fixed(killArgs, 128));
            int rv = request(fd, body.array());
            if (rv != 0) {
                fail("killpath", -rv);
            }
        }
        int rv = request(fd, header(CMD_RESTRICT, RESTRICT_ALL, 32, 0, -1));
        if (rv != 0) {
            fail("restrict", -rv);
        }
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
        int report = Libc.fcntl(1, Libc.F_DUPFD_CLOEXEC, 3);
        int devNull = Libc.open("/dev/null", Libc.O_RDWR, 0);
        int logFd = Libc.open(log, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, 0600);
        if (devNull < 0 || logFd < 0) {
            reportAndExit(report, "error open " + Libc.errno());
        }
        Libc.dup2(devNull, 0);
        Libc.dup2(logFd, 1);
        Libc.dup2(logFd, 2);
        closeOnExecAllBut(fd, report);
        Libc.unblockAllSignals();
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        Libc.execve(argv.get(0), argv, env);
        reportAndExit(report, "execfail " + Libc.errno());
    }

    private static void reportAndExit(int fd, String msg) {
        Libc.writeAll(fd, (msg + "\n").getBytes(StandardCharsets.UTF_8));
        System.exit(127);
    }

    private static void fail(String stage, int errno) {
        System.out.println("error " + stage + " " + errno);
        System.out.flush();
        System.exit(2);
    }

    /** Sends a request on the registered connection and returns the reply's result. */
    private static int request(int fd, byte[] msg) {
        if (!Libc.writeAll(fd, msg)) {
            return -Libc.errno();
        }
        byte[] reply = Libc.readExactly(fd, 32);
        if (reply == null) {
            return -107;
        }
        return ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).getInt(24);
    }

    private static byte[] header(int cmd, int flags, int length, int data, int data2) {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(1).putInt(cmd)
                .putInt(flags).putInt(length).putInt(0).putInt(data).putInt(data2).array();
    }

    private static byte[] fixed(String s, int len) {
        byte[] out = new byte[len];
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        // The daemon forces the last byte to NUL; the driver refuses longer strings earlier.
        System.arraycopy(b, 0, out, 0, Math.min(b.length, len - 1));
        return out;
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
                Libc.fcntl(f, Libc.F_SETFD, Libc.FD_CLOEXEC);
            }
        }
        Libc.fcntl(keep, Libc.F_SETFD, 0);
    }
}
