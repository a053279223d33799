package io.jsanlock.wire;

/** {@code SANLK_RES_*} flags of {@code sanlk_resource.flags} (wire.md 3.2). */
public final class ResourceFlags {
    private ResourceFlags() {}

    public static final int LVER = 0x1;
    public static final int NUM_HOSTS = 0x2;
    public static final int SHARED = 0x4;
    public static final int PERSISTENT = 0x8;
    public static final int ALIGN1M = 0x10;
    public static final int ALIGN2M = 0x20;
    public static final int ALIGN4M = 0x40;
    public static final int ALIGN8M = 0x80;
    public static final int SECTOR512 = 0x100;
    public static final int SECTOR4K = 0x200;

    /** Align flag for an align size in bytes (1, 2, 4, 8 MiB), 0 when not one of those. */
    public static int alignFlag(long alignBytes) {
        if (alignBytes == 1L << 20) return ALIGN1M;
        if (alignBytes == 2L << 20) return ALIGN2M;
        if (alignBytes == 4L << 20) return ALIGN4M;
        if (alignBytes == 8L << 20) return ALIGN8M;
        return 0;
    }

    /** Sector flag for 512 or 4096, 0 otherwise. */
    public static int sectorFlag(int sectorSize) {
        if (sectorSize == 512) return SECTOR512;
        if (sectorSize == 4096) return SECTOR4K;
        return 0;
    }

    /** Align size in bytes named by the flags, 0 when none is set. Shared by RES, LSF and RIF flags. */
    public static long alignSize(int flags) {
        if ((flags & ALIGN1M) != 0) return 1L << 20;
        if ((flags & ALIGN2M) != 0) return 2L << 20;
        if ((flags & ALIGN4M) != 0) return 4L << 20;
        if ((flags & ALIGN8M) != 0) return 8L << 20;
        return 0;
    }

    /** Sector size named by the flags, 0 when none is set. */
    public static int sectorSize(int flags) {
        if ((flags & SECTOR512) != 0) return 512;
        if ((flags & SECTOR4K) != 0) return 4096;
        return 0;
    }
}
