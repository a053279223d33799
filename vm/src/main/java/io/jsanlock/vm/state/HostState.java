package io.jsanlock.vm.state;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;
import io.jsanlock.vm.domain.DomainDef;
import io.jsanlock.vm.domain.DomainXml;
import io.jsanlock.vm.guest.GuestProcess;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * One host's jvirsh state directory, the stand-in for libvirtd's /etc/libvirt/qemu and
 * /run/libvirt/qemu:
 * <pre>
 *   qemu-sanlock.conf      the lock driver's configuration
 *   qemu/NAME.xml          persistent definitions
 *   qemu/autostart/NAME.xml  symlink to ../NAME.xml: NAME is started at boot (as libvirt marks it)
 *   run/NAME.xml           live definition of a running domain
 *   run/NAME.status        its id, guest pid and start time, paused flag
 *   log/NAME.log           the guest's stdout/stderr
 *   next-id                the next domain id to hand out
 * </pre>
 * Files are replaced atomically (write to a temp file, then rename), so a crash never leaves
 * a half-written definition. Mutating commands hold an exclusive lock on {@code .lock}.
 */
public final class HostState implements AutoCloseable {
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private HostState(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating if needed) the state directory and locks it for this command. */
    public static HostState open(Path dir) throws VirError {
        try {
            Files.createDirectories(dir.resolve("qemu"));
            Files.createDirectories(dir.resolve("run"));
            Files.createDirectories(dir.resolve("log"));
            FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            return new HostState(dir, ch, ch.lock());
        } catch (IOException e) {
            throw new VirError(VirErrorCode.SYSTEM_ERROR,
                    "cannot use state directory " + dir + ": " + e.getMessage());
        }
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return dir.resolve("qemu-sanlock.conf");
    }

    public Path logFile(String name) {
        return dir.resolve("log").resolve(name + ".log");
    }

    /** Persistent definitions, by name. */
    public List<DomainDef> definitions() throws VirError {
        return readAll(dir.resolve("qemu"));
    }

    public Optional<DomainDef> definition(String name) throws VirError {
        return read(dir.resolve("qemu").resolve(name + ".xml"));
    }

    public void saveDefinition(DomainDef def) throws VirError {
        write(dir.resolve("qemu").resolve(def.name() + ".xml"), def.xml());
    }

    /** Deletes the persistent definition and its autostart mark (libvirt deletes both). */
    public void deleteDefinition(String name) throws VirError {
        delete(autostartLink(name));
        delete(dir.resolve("qemu").resolve(name + ".xml"));
    }

    private Path autostartLink(String name) {
        return dir.resolve("qemu").resolve("autostart").resolve(name + ".xml");
    }

    /** Whether {@code name} is marked to start at boot. */
    public boolean autostart(String name) {
        return Files.isSymbolicLink(autostartLink(name)) || Files.exists(autostartLink(name));
    }

    /**
     * Marks or unmarks {@code name} to start at boot: a symlink {@code qemu/autostart/NAME.xml}
     * to the definition, as libvirt keeps {@code /etc/libvirt/qemu/autostart/NAME.xml}.
     */
    public void setAutostart(String name, boolean on) throws VirError {
        Path link = autostartLink(name);
        if (!on) {
            delete(link);
            return;
        }
        if (autostart(name)) {
            return;
        }
        try {
            Files.createDirectories(link.getParent());
            Path tmp = link.resolveSibling(link.getFileName() + ".new");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of("..", name + ".xml"));
            Files.move(tmp, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new VirError(VirErrorCode.SYSTEM_ERROR, "Failed to create symlink '" + link + "' to '"
                    + dir.resolve("qemu").resolve(name + ".xml") + "': " + e.getMessage());
        }
    }

    /** Live definitions (running or paused domains, including transient ones). */
    public List<DomainDef> liveDefinitions() throws VirError {
        return readAll(dir.resolve("run"));
    }

    public Optional<DomainDef> liveDefinition(String name) throws VirError {
        return read(dir.resolve("run").resolve(name + ".xml"));
    }

    /**
     * The runtime status of {@code name} if its guest still runs. A status whose guest has
     * gone (killed, crashed, shut down) is removed: the domain is shut off.
     */
    public Optional<DomainStatus> status(String name) throws VirError {
        Path f = dir.resolve("run").resolve(name + ".status");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(f)));
        } catch (IOException e) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "cannot read " + f + ": " + e.getMessage());
        }
        GuestProcess g;
        int id;
        try {
            g = new GuestProcess(Long.parseLong(p.getProperty("pid")), Long.parseLong(p.getProperty("starttime")));
            id = Integer.parseInt(p.getProperty("id"));
        } catch (NumberFormatException e) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "corrupt domain status " + f + ": " + e.getMessage());
        }
        if (!g.alive()) {
            clearStatus(name);
            return Optional.empty();
        }
        return Optional.of(new DomainStatus(id, g, Boolean.parseBoolean(p.getProperty("paused", "false"))));
    }

    public void saveStatus(String name, DomainDef live, DomainStatus s) throws VirError {
        write(dir.resolve("run").resolve(name + ".xml"), live.xml());
        Properties p = new Properties();
        p.setProperty("id", Integer.toString(s.id()));
        p.setProperty("pid", Long.toString(s.guest().pid()));
        p.setProperty("starttime", Long.toString(s.guest().startTime()));
        p.setProperty("paused", Boolean.toString(s.paused()));
        StringWriter w = new StringWriter();
        try {
            p.store(w, "jvirsh domain status");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        write(dir.resolve("run").resolve(name + ".status"), w.toString());
    }

    public void clearStatus(String name) throws VirError {
        delete(dir.resolve("run").resolve(name + ".status"));
        delete(dir.resolve("run").resolve(name + ".xml"));
    }

    /** Hands out the next domain id (libvirt numbers started domains 1, 2, ...). */
    public int nextId() throws VirError {
        Path f = dir.resolve("next-id");
        int id = 1;
        try {
            if (Files.exists(f)) {
                id = Integer.parseInt(Files.readString(f).trim());
            }
        } catch (IOException | NumberFormatException e) {
            id = 1;
        }
        write(f, Integer.toString(id + 1) + "\n");
        return id;
    }

    private List<DomainDef> readAll(Path d) throws VirError {
        List<DomainDef> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.filter(x -> x.getFileName().toString().endsWith(".xml")).sorted().toList()) {
                read(p).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "cannot list " + d + ": " + e.getMessage());
        }
        return out;
    }

    private static Optional<DomainDef> read(Path f) throws VirError {
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(DomainXml.parse(Files.readString(f)));
        } catch (IOException e) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "cannot read " + f + ": " + e.getMessage());
        }
    }

    private static void write(Path f, String content) throws VirError {
        Path tmp = f.resolveSibling(f.getFileName() + ".new");
        try {
            Files.writeString(tmp, content);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new VirError(VirErrorCode.SYSTEM_ERROR, "cannot write " + f + ": " + e.getMessage());
        }
    }

    private static void delete(Path f) throws VirError {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new VirError(VirErrorCode.SYSTEM_ERROR, "cannot delete " + f + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // closing the lock file cannot lose state
        }
    }
}
