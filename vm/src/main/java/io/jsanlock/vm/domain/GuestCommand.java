package io.jsanlock.vm.domain;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest's command line. When the emulator is QEMU (named by {@code <emulator>}, or found
 * on PATH when the XML names none) it is a qemu command line built from the definition, as
 * libvirt builds one; any other {@code <emulator>} program is run as is. In both cases the
 * {@code <qemu:commandline>} arguments are appended.
 */
public final class GuestCommand {
    private static final List<String> QEMU_CANDIDATES = List.of("qemu-system-x86_64", "qemu-kvm");

    private GuestCommand() {
    }

    public static List<String> build(DomainDef def) throws VirError {
        String emulator = def.emulator();
        if (emulator == null) {
            emulator = findOnPath().orElseThrow(() -> new VirError(VirErrorCode.INTERNAL_ERROR,
                    "Cannot find suitable emulator for x86_64"));
        }
        Path p = Path.of(emulator);
        if (!Files.exists(p)) {
            throw new VirError(VirErrorCode.SYSTEM_ERROR, "Cannot check QEMU binary " + emulator
                    + ": No such file or directory");
        }
        if (!Files.isExecutable(p)) {
            throw new VirError(VirErrorCode.SYSTEM_ERROR, "Cannot check QEMU binary " + emulator
                    + ": Permission denied");
        }
        List<String> argv = new ArrayList<>();
        argv.add(emulator);
        if (isQemu(emulator)) {
            argv.addAll(qemuArgs(def));
        }
        argv.addAll(def.extraArgs());
        return argv;
    }

    static boolean isQemu(String emulator) {
        String base = Path.of(emulator).getFileName().toString();
        return base.startsWith("qemu-system-") || base.equals("qemu-kvm");
    }

    private static java.util.Optional<String> findOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return java.util.Optional.empty();
        }
        for (String name : QEMU_CANDIDATES) {
            for (String d : path.split(":")) {
                Path c = Path.of(d.isEmpty() ? "." : d, name);
                if (Files.isExecutable(c)) {
                    return java.util.Optional.of(c.toString());
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** The qemu arguments for the parts of the definition jvirsh models. */
    static List<String> qemuArgs(DomainDef def) {
        List<String> a = new ArrayList<>();
        a.add("-name");
        a.add("guest=" + def.name());
        if ("kvm".equals(def.type())) {
            a.add("-enable-kvm");
        }
        a.add("-m");
        a.add(Long.toString(Math.max(1, def.memoryKiB() / 1024)));
        a.add("-smp");
        a.add(Integer.toString(def.vcpus()));
        a.add("-uuid");
        a.add(def.uuid());
        a.add("-display");
        a.add("none");
        a.add("-no-user-config");
        a.add("-nodefaults");
        int i = 0;
        for (Disk d : def.disks()) {
            if (d.source() == null) {
                continue;
            }
            StringBuilder s = new StringBuilder("file=").append(d.source().replace(",", ",,"));
            s.append(",if=").append(d.target() != null && d.target().startsWith("vd") ? "virtio" : "ide");
            s.append(",media=").append("cdrom".equals(d.device()) ? "cdrom" : "disk");
            if (d.format() != null) {
                s.append(",format=").append(d.format());
            }
            if (d.readonly()) {
                s.append(",readonly=on");
            }
            s.append(",id=drive-").append(i++);
            a.add("-drive");
            a.add(s.toString());
        }
        return a;
    }
}
