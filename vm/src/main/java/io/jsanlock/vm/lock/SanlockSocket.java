package io.jsanlock.vm.lock;

import java.nio.file.Path;

/** Where a host's lease daemon listens: $SANLOCK_RUN_DIR/sanlock.sock (wire.md §1.1). */
public final class SanlockSocket {
    public static final String DEFAULT_RUN_DIR = "/run/sanlock";

    private SanlockSocket() {
    }

    /** The run dir from SANLOCK_RUN_DIR (any value, even empty, counts as set). */
    public static String runDir() {
        String v = System.getenv("SANLOCK_RUN_DIR");
        return v != null ? v : DEFAULT_RUN_DIR;
    }

    public static Path path(String runDir) {
        String p = runDir + "/sanlock.sock";
        // The reference formats into a 108-byte sun_path leaving room for a NUL.
        return Path.of(p.length() > 106 ? p.substring(0, 106) : p);
    }
}
