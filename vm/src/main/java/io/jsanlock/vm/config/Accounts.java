package io.jsanlock.vm.config;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves the {@code user}/{@code group} settings the way libvirt parses qemu.conf's user:
 * a name (looked up first, even when it is all digits), a plain number, or {@code +N} for a
 * numeric id that is never looked up.
 */
final class Accounts {
    private Accounts() {
    }

    static int parseUser(String v) throws VirError {
        Integer id = resolve(v, Path.of("/etc/passwd"));
        if (id == null) {
            throw new VirError(VirErrorCode.INVALID_ARG, "Failed to parse user '" + v + "'");
        }
        return id;
    }

    static int parseGroup(String v) throws VirError {
        Integer id = resolve(v, Path.of("/etc/group"));
        if (id == null) {
            throw new VirError(VirErrorCode.INVALID_ARG, "Failed to parse group '" + v + "'");
        }
        return id;
    }

    private static Integer resolve(String v, Path db) {
        if (v.startsWith("+")) {
            return number(v.substring(1));
        }
        Integer byName = lookup(v, db);
        return byName != null ? byName : number(v);
    }

    private static Integer number(String digits) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 10) {
            return null;
        }
        long n = Long.parseLong(digits);
        return n <= Integer.MAX_VALUE ? (int) n : null;
    }

    private static Integer lookup(String name, Path db) {
        if (name.isEmpty()) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(db);
        } catch (IOException e) {
            return null;
        }
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(name)) {
                return number(f[2]);
            }
        }
        return null;
    }
}
