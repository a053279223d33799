package io.jsanlock.daemon;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.unix.UnixServerSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * The run directory as the reference sets it up (wire.md 1.2): the directory (0775), the
 * pid file {@code sanlock.pid} under an exclusive fcntl lock (a second daemon for the
 * same directory fails to get it and refuses to start), and the socket
 * {@code sanlock.sock} (0660, owned by the socket user/group). Like the reference,
 * neither file is removed at exit.
 */
public final class RunDirectory implements AutoCloseable {
    /**
     * Listen backlog. The reference uses 5; the value is not observable by clients except
     * under a burst of connects (they block, or here retry, until accepted). A larger one
     * lets 1000 clients connect at once without retries.
     */
    static final int BACKLOG = 128;

    private final Path dir;
    private final FileChannel pidChannel;
    private final FileLock pidLock;
    private UnixServerSocket socket;

    private RunDirectory(Path dir, FileChannel pidChannel, FileLock pidLock) {
        this.dir = dir;
        this.pidChannel = pidChannel;
        this.pidLock = pidLock;
    }

    /**
     * Creates the directory if missing and takes the pid-file lock. Fails with -17
     * (EEXIST) when another daemon holds it. {@code FileChannel.tryLock} is an fcntl
     * F_SETLK write lock on Linux, the same lock the reference takes, so the two
     * implementations also exclude each other.
     */
    public static RunDirectory lock(Path dir, String user, String group, DaemonLog log) throws SanlockException {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
                String priv = System.getenv("SANLOCK_PRIVILEGED");
                boolean privileged = priv == null || priv.equals("1");
                chown(dir, user, privileged ? null : group, log);
            }
            Path pidFile = dir.resolve("sanlock.pid");
            FileChannel ch = FileChannel.open(pidFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                String other = Files.readString(pidFile).strip();
                throw new SanlockException(SanlockError.EEXIST,
                        "another sanlock daemon is running in " + dir + " (pid " + other + " holds " + pidFile + ")");
            }
            Files.setPosixFilePermissions(pidFile, PosixFilePermissions.fromString("rw-r--r--"));
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(true);
            return new RunDirectory(dir, ch, lock);
        } catch (IOException e) {
            throw new SanlockException(SanlockError.EACCES, "cannot set up run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Unlinks an old socket, binds and listens, then chmod 0660 and chown as the reference. */
    public UnixServerSocket bindSocket(String user, String group, DaemonLog log) throws SanlockException {
        Path sock = dir.resolve("sanlock.sock");
        try {
            Files.deleteIfExists(sock);
            socket = UnixServerSocket.bind(sock, BACKLOG);
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw----"));
            chown(sock, user, group, log);
            return socket;
        } catch (IOException e) {
            throw new SanlockException(SanlockError.EACCES, "cannot create socket " + sock + ": " + e.getMessage(), e);
        }
    }

    /**
     * Owner as the reference picks it: -U/-G names; without them user and group
     * "sanlock" if both exist, else root. Unknown names fall back to root.
     */
    static void chown(Path p, String user, String group, DaemonLog log) throws IOException {
        UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
        String u = user;
        String g = group;
        if ((u == null || u.isEmpty()) && (g == null || g.isEmpty())) {
            boolean haveSanlock = exists(lookup, "sanlock", false) && exists(lookup, "sanlock", true);
            u = haveSanlock ? "sanlock" : "root";
            g = haveSanlock ? "sanlock" : "root";
        }
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        UserPrincipal up = principal(lookup, u, false, log);
        view.setOwner(up);
        if (g != null) {
            view.setGroup((GroupPrincipal) principal(lookup, g, true, log));
        }
    }

    private static boolean exists(UserPrincipalLookupService lookup, String name, boolean group) {
        try {
            if (group) {
                lookup.lookupPrincipalByGroupName(name);
            } else {
                lookup.lookupPrincipalByName(name);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static UserPrincipal principal(UserPrincipalLookupService lookup, String name, boolean group, DaemonLog log)
            throws IOException {
        String n = name == null || name.isEmpty() ? "root" : name;
        try {
            return group ? lookup.lookupPrincipalByGroupName(n) : lookup.lookupPrincipalByName(n);
        } catch (UserPrincipalNotFoundException e) {
            log.warn("unknown " + (group ? "group" : "user") + " " + n + ", using 0");
            return group ? lookup.lookupPrincipalByGroupName("0") : lookup.lookupPrincipalByName("0");
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
        try {
            pidLock.release();
            pidChannel.close();
        } catch (IOException e) {
            // exiting anyway
        }
    }
}
