package io.jsanlock.vm.config;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The sanlock lock driver's settings from {@code qemu-sanlock.conf} (vm-leases.md §1.4),
 * with libvirt's types, defaults and error texts (V-current wording, §8 decision 4).
 *
 * @param autoDiskLeases       1 turns on automatic per-disk leases
 * @param diskLeaseDir         where the automatic lockspace and lease files live
 * @param hostId               this host's slot in the automatic lockspace (0 = unset)
 * @param requireLeaseForDisks refuse VMs with writable exclusive disks but no lease
 * @param ioTimeout            io_timeout for the automatic lockspace (0 = sanlock default)
 * @param user                 owner uid for files the driver creates, or empty
 * @param group                owner gid for files the driver creates, or empty
 */
public record SanlockDriverConfig(boolean autoDiskLeases, String diskLeaseDir, long hostId,
        boolean requireLeaseForDisks, long ioTimeout, OptionalInt user, OptionalInt group) {

    public static final String DEFAULT_DISK_LEASE_DIR = "/var/lib/libvirt/sanlock";
    private static final BigInteger UINT_MAX = BigInteger.valueOf(4294967295L);

    /** Every default: what libvirt uses when the file does not exist. */
    public static SanlockDriverConfig defaults() {
        return new SanlockDriverConfig(false, DEFAULT_DISK_LEASE_DIR, 0, true, 0, OptionalInt.empty(),
                OptionalInt.empty());
    }

    /**
     * Loads {@code file}. A missing file means every default; any other access failure is
     * fatal (libvirt: "Unable to access config file"). Syntax, type and the auto-mode host_id
     * check fail with libvirt's messages.
     */
    public static SanlockDriverConfig load(Path file) throws VirError {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return defaults();
        } catch (AccessDeniedException e) {
            throw VirError.system("Unable to access config file " + file, -13);
        } catch (IOException e) {
            int errno = Files.isDirectory(file) ? 21 : 5;
            throw VirError.system("Unable to access config file " + file, -errno);
        }
        return parse(file.toString(), text);
    }

    /** Parses the text of a qemu-sanlock.conf called {@code fileName} in messages. */
    public static SanlockDriverConfig parse(String fileName, String text) throws VirError {
        ConfFile conf = ConfFile.parse(fileName, text);
        boolean auto = bool(conf, "auto_disk_leases", false);
        String dir = string(conf, "disk_lease_dir", DEFAULT_DISK_LEASE_DIR);
        long hostId = unsigned(conf, "host_id", 0);
        // Applied after auto_disk_leases is known, so its default follows the mode
        // wherever the key appears in the file.
        boolean require = bool(conf, "require_lease_for_disks", !auto);
        long ioTimeout = unsigned(conf, "io_timeout", 0);
        String userText = string(conf, "user", null);
        String groupText = string(conf, "group", null);
        // ignore_readonly_and_shared_disks: retired; still accepted by libvirt's lens, read by
        // nobody. Unknown keys are ignored silently, like libvirt does.
        if (auto && hostId == 0) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR,
                    "Automatic disk lease mode enabled, but no host ID is set");
        }
        OptionalInt uid = userText == null ? OptionalInt.empty()
                : OptionalInt.of(Accounts.parseUser(userText));
        OptionalInt gid = groupText == null ? OptionalInt.empty()
                : OptionalInt.of(Accounts.parseGroup(groupText));
        return new SanlockDriverConfig(auto, dir, hostId, require, ioTimeout, uid, gid);
    }

    private static VirError typeError(ConfFile conf, String detail) {
        return new VirError(VirErrorCode.INTERNAL_ERROR, conf.fileName() + ": " + detail);
    }

    private static boolean bool(ConfFile conf, String key, boolean dflt) throws VirError {
        ConfValue v = conf.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof ConfValue.Int i) || i.signed()) {
            throw typeError(conf, "expected a bool for '" + key + "' parameter");
        }
        if (i.value().compareTo(BigInteger.ONE) > 0) {
            throw typeError(conf, "value for '" + key + "' parameter must be 0 or 1");
        }
        return i.value().signum() != 0;
    }

    private static long unsigned(ConfFile conf, String key, long dflt) throws VirError {
        ConfValue v = conf.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof ConfValue.Int i) || i.signed()) {
            throw typeError(conf, "expected an unsigned integer for '" + key + "' parameter");
        }
        if (i.value().compareTo(UINT_MAX) > 0) {
            throw typeError(conf, "value for '" + key + "' parameter must be in range 0:4294967295");
        }
        return i.value().longValueExact();
    }

    private static String string(ConfFile conf, String key, String dflt) throws VirError {
        ConfValue v = conf.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof ConfValue.Str str)) {
            throw typeError(conf, "expected a string for '" + key + "' parameter");
        }
        return str.value();
    }
}
