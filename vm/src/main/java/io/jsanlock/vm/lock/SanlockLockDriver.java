package io.jsanlock.vm.lock;

import io.jsanlock.base.SanlockException;
import io.jsanlock.posix.Errno;
import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;
import io.jsanlock.vm.config.SanlockDriverConfig;
import io.jsanlock.vm.domain.Disk;
import io.jsanlock.vm.domain.DomainDef;
import io.jsanlock.vm.domain.Lease;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * libvirt's sanlock lock driver (vm-leases.md §1.5, §2, §3): the automatic lockspace at start-up,
 * the list of leases a domain needs (manual {@code <lease>}s, then one automatic lease per
 * writable disk), the checks libvirt makes before the guest is exec'd, and acquisition on
 * behalf of the guest's pid with libvirt's error texts.
 */
public final class SanlockLockDriver {
    public static final String AUTO_LOCKSPACE = "__LIBVIRT__DISKS__";
    static final int MAX_RESOURCES = 8;
    static final int NAME_MAX = 47;
    static final int PATH_MAX = 1023;
    static final int LOCKSPACE_RETRIES = 10;

    private final SanlockDriverConfig config;
    private final LeaseDaemon daemon;

    public SanlockLockDriver(SanlockDriverConfig config, LeaseDaemon daemon) {
        this.config = config;
        this.daemon = daemon;
    }

    public SanlockDriverConfig config() {
        return config;
    }

    public LeaseDaemon daemon() {
        return daemon;
    }

    /**
     * What the plugin does when the daemon starts: in automatic mode, make sure the lockspace
     * file exists and join it with host_id. Failure is fatal (vm-leases.md §8 decision 2).
     */
    public void initialize() throws VirError {
        if (!config.autoDiskLeases()) {
            return;
        }
        String path = config.diskLeaseDir() + "/" + AUTO_LOCKSPACE;
        if (path.length() >= 1024) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "Lockspace path '" + path + "' exceeded 1024 characters");
        }
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            Path dir = Path.of(config.diskLeaseDir());
            if (!Files.isDirectory(dir)) {
                throw new VirError(VirErrorCode.INTERNAL_ERROR, "Unable to create lockspace " + path
                        + ": parent directory does not exist or is not a directory");
            }
            createLockspaceFile(p);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            // An existing lockspace file gets its ownership corrected and, with a group, group
            // read/write; anything that is not a regular file is left as it is.
            chown(p);
            if (config.group().isPresent()) {
                try {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw----"));
                } catch (IOException e) {
                    throw VirError.system("cannot chmod '" + path + "' to 0660", -errnoOf(e));
                }
            }
        }
        join(path);
    }

    /**
     * Creates the lockspace file. It is built under a temporary name and published with
     * link(2), which fails if the name exists: another host sharing the directory never sees
     * a half-made lockspace (it would fail to join it), and if it published first, its file wins.
     */
    private void createLockspaceFile(Path target) throws VirError {
        String path = target.toString();
        String mode = config.group().isPresent() ? "rw-rw----" : "rw-------";
        Path p = temporarySibling(target);
        try {
            Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        } catch (IOException e) {
            throw VirError.system("Unable to create lockspace " + path, -errnoOf(e));
        }
        try {
            setMode(p, mode);
            chown(p);
            long align = align(p, "Unable to query sector size " + path);
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(align);
            } catch (IOException e) {
                throw VirError.system("Unable to allocate lockspace " + path, -errnoOf(e));
            }
            try {
                daemon.writeLockspace(AUTO_LOCKSPACE, p.toString(), 0, (int) config.ioTimeout());
            } catch (SanlockException e) {
                throw sanlockError("Unable to initialize lockspace " + path, e.code());
            }
            publish(p, target, "Unable to create lockspace " + path);
        } finally {
            deleteQuietly(p);
        }
    }

    /** A private name next to {@code target} for building it before it is published. */
    private static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".new-" + ProcessHandle.current().pid());
    }

    /** Publishes a fully initialised file under its real name, unless another host already has. */
    private static void publish(Path built, Path target, String what) throws VirError {
        try {
            Files.createLink(target, built);
        } catch (FileAlreadyExistsException e) {
            // another host created it first: theirs is used
        } catch (IOException e) {
            throw VirError.system(what, -errnoOf(e));
        }
    }

    private void join(String path) throws VirError {
        for (int attempt = 0; attempt < LOCKSPACE_RETRIES; attempt++) {
            try {
                daemon.addLockspace(AUTO_LOCKSPACE, config.hostId(), path, 0, (int) config.ioTimeout());
                return;
            } catch (SanlockException e) {
                if (e.code() == -17) { // already joined: restarting never leaves and rejoins
                    return;
                }
                if (e.code() != -115) {
                    throw sanlockError("Unable to add lockspace " + path, e.code());
                }
                daemon.inqLockspaceWait(AUTO_LOCKSPACE, config.hostId(), path, 0);
            }
        }
        throw sanlockError("Unable to add lockspace " + path, -115);
    }

    /**
     * The leases the domain needs, in the order libvirt offers them (manual leases first, then
     * disks), creating missing automatic lease files. Errors here happen in libvirt's pre-exec
     * child; the caller wraps them.
     */
    public List<LeaseSpec> leasesFor(DomainDef def) throws VirError {
        List<LeaseSpec> out = new ArrayList<>();
        int offered = 0;
        boolean hasRWDisks = false;
        for (Lease l : def.leases()) {
            if (++offered > MAX_RESOURCES) {
                throw tooMany();
            }
            if (l.lockspace().length() > NAME_MAX) {
                throw new VirError(VirErrorCode.INTERNAL_ERROR,
                        "Resource lockspace '" + l.lockspace() + "' exceeds 48 characters");
            }
            if (l.key().length() > NAME_MAX) {
                throw new VirError(VirErrorCode.INTERNAL_ERROR, "Resource name '" + l.key() + "' exceeds 48 characters");
            }
            if (l.path().length() > PATH_MAX) {
                throw new VirError(VirErrorCode.INTERNAL_ERROR, "Lease path '" + l.path() + "' exceeds 1024 characters");
            }
            out.add(new LeaseSpec(l.lockspace(), l.key(), l.path(), l.offset(), false));
        }
        for (Disk d : def.disks()) {
            if (!d.hasLocalPath()) {
                continue; // network, empty and sourceless disks are skipped without error
            }
            if (++offered > MAX_RESOURCES) {
                throw tooMany();
            }
            if (d.readonly()) {
                continue;
            }
            if (!d.shareable()) {
                hasRWDisks = true;
            }
            if (config.autoDiskLeases()) {
                out.add(autoLease(d));
            }
        }
        if (out.isEmpty() && hasRWDisks && config.requireLeaseForDisks()) {
            throw new VirError(VirErrorCode.CONFIG_UNSUPPORTED,
                    "Read/write, exclusive access, disks were present, but no leases specified");
        }
        return out;
    }

    private static VirError tooMany() {
        return new VirError(VirErrorCode.INTERNAL_ERROR, "Too many resources " + MAX_RESOURCES + " for object");
    }

    /** The automatic lease of a disk: MD5 of the source path as written, in disk_lease_dir. */
    LeaseSpec autoLease(Disk d) throws VirError {
        String name = md5Hex(d.source());
        String path = config.diskLeaseDir() + "/" + name;
        if (path.length() > PATH_MAX) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "Lease path '" + path + "' exceeds 1024 characters");
        }
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            createLeaseFile(p, name);
        }
        return new LeaseSpec(AUTO_LOCKSPACE, name, path, 0, d.shareable());
    }

    /** Creates a lease file, published the same way as the lockspace file. */
    private void createLeaseFile(Path target, String name) throws VirError {
        String path = target.toString();
        Path p = temporarySibling(target);
        try {
            Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            // libvirt reuses its "lockspace" wording for this step
            throw VirError.system("Unable to create lockspace " + path, -errnoOf(e));
        }
        try {
            setMode(p, "rw-------");
            chown(p);
            long align = align(p, "Unable to query sector size " + path);
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(align);
            } catch (IOException e) {
                throw VirError.system("Unable to allocate lease " + path, -errnoOf(e));
            }
            try {
                daemon.writeResource(AUTO_LOCKSPACE, name, p.toString(), 0);
            } catch (SanlockException e) {
                throw sanlockError("Unable to initialize lease " + path, e.code());
            }
            publish(p, target, "Unable to create lockspace " + path);
        } finally {
            deleteQuietly(p);
        }
    }

    /** Sets the exact mode: creation modes are filtered by the umask, the spec's are not. */
    private static void setMode(Path p, String mode) throws VirError {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw VirError.system("cannot chmod '" + p + "' to " + (mode.equals("rw-rw----") ? "0660" : "0600"),
                    -errnoOf(e));
        }
    }

    private long align(Path p, String what) throws VirError {
        try {
            return daemon.align(p.toString());
        } catch (SanlockException e) {
            throw sanlockError(what, e.code());
        }
    }

    private void chown(Path p) throws VirError {
        if (config.user().isEmpty() && config.group().isEmpty()) {
            return;
        }
        int uid = config.user().orElse(-1);
        int gid = config.group().orElse(-1);
        try {
            if (uid >= 0) {
                Files.setAttribute(p, "unix:uid", uid);
            }
            if (gid >= 0) {
                Files.setAttribute(p, "unix:gid", gid);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw VirError.system("cannot chown '" + p + "' to (" + uid + ", " + gid + ")",
                    e instanceof IOException io ? -errnoOf(io) : -1);
        }
    }

    /** Acquires every lease in one request on behalf of the registered guest {@code pid}. */
    public void acquire(long pid, String domainName, List<LeaseSpec> leases) throws VirError {
        if (leases.isEmpty()) {
            return;
        }
        try {
            daemon.acquire(pid, leases, domainName);
        } catch (SanlockException e) {
            throw acquireError(e.code());
        }
    }

    /** Releases the guest's leases (pause); failures only matter to the caller's log. */
    public void release(long pid, List<LeaseSpec> leases) throws VirError {
        if (leases.isEmpty()) {
            return;
        }
        try {
            daemon.release(pid, leases);
        } catch (SanlockException e) {
            throw sanlockError("Failed to release lock", e.code());
        }
    }

    /**
     * libvirt's acquire failure text, V-scenario form (vm-leases.md §8 decision 1): sanlock codes as
     * "resource busy: Failed to acquire lock: error N", errno values as system errors.
     */
    public static VirError acquireError(int rv) {
        if (rv <= -200) {
            return new VirError(VirErrorCode.RESOURCE_BUSY, "Failed to acquire lock: error " + rv);
        }
        return VirError.system("Failed to acquire lock", rv);
    }

    /** "<what>: error N" (internal error) for sanlock codes, "<what>: <strerror>" for errno values. */
    static VirError sanlockError(String what, int rv) {
        if (rv <= -200) {
            return new VirError(VirErrorCode.INTERNAL_ERROR, what + ": error " + rv);
        }
        return new VirError(VirErrorCode.SYSTEM_ERROR, what + ": " + Errno.strerror(-rv));
    }

    public static String md5Hex(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    private static int errnoOf(IOException e) {
        if (e instanceof NoSuchFileException) {
            return 2;
        }
        if (e instanceof AccessDeniedException) {
            return 13;
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("Not a directory")) {
            return 20;
        }
        if (m.contains("No space")) {
            return 28;
        }
        if (m.contains("Read-only")) {
            return 30;
        }
        return 5;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the half-made file is best-effort cleanup; the original error is reported
        }
    }
}
