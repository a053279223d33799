package io.jsanlock.format;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;

/**
 * The size pair of a lease area: sector size (512 or 4096) and align size
 * (the area length, 1/2/4/8 MiB). Only five pairs exist (ondisk.md 1.1); the
 * pair fixes how many hosts an area can hold.
 *
 * @param sectorSize bytes per lease sector, 512 or 4096
 * @param alignSize bytes per area, 1, 2, 4 or 8 MiB
 */
public record Geometry(int sectorSize, int alignSize) {
    public static final int MIB = 1 << 20;

    public static final Geometry S512_A1M = new Geometry(512, MIB);
    public static final Geometry S4K_A1M = new Geometry(4096, MIB);
    public static final Geometry S4K_A2M = new Geometry(4096, 2 * MIB);
    public static final Geometry S4K_A4M = new Geometry(4096, 4 * MIB);
    public static final Geometry S4K_A8M = new Geometry(4096, 8 * MIB);

    /** The reference's second line after an invalid pair. */
    public static final String VALID_PAIRS_HINT = "Use one of: 512/1M, 4096/1M, 4096/2M, 4096/4M, 4096/8M.";

    /** Validates through {@link #of}; a Geometry always holds a valid pair. */
    public Geometry {
        if (!valid(sectorSize, alignSize)) {
            throw new IllegalArgumentException(invalidMessage(sectorSize, alignSize));
        }
    }

    /** True for the five pairs sanlock accepts. */
    public static boolean valid(int sectorSize, long alignSize) {
        if (sectorSize == 512) {
            return alignSize == MIB;
        }
        return sectorSize == 4096 && (alignSize == MIB || alignSize == 2L * MIB || alignSize == 4L * MIB || alignSize == 8L * MIB);
    }

    /** The reference's message for a refused pair, e.g. {@code Invalid sector_size/align_size combination (512/8388608)}. */
    public static String invalidMessage(long sectorSize, long alignSize) {
        return "Invalid sector_size/align_size combination (" + sectorSize + "/" + alignSize + ")";
    }

    /**
     * The geometry for a sector/align pair.
     *
     * @throws SanlockException EINVAL with the reference's message when the pair is not one of the five
     */
    public static Geometry of(int sectorSize, long alignSize) throws SanlockException {
        if (!valid(sectorSize, alignSize)) {
            throw new SanlockException(SanlockError.EINVAL, invalidMessage(sectorSize, alignSize));
        }
        return new Geometry(sectorSize, (int) alignSize);
    }

    /** The legacy rule used when no sizes are given: 512 → 1M, 4096 → 8M. */
    public static Geometry legacy(int sectorSize) throws SanlockException {
        return of(sectorSize, sectorSize == 4096 ? 8L * MIB : MIB);
    }

    /**
     * The align size recorded by a leader's flags (smallest bit wins), or 0 when
     * no align bit is set.
     */
    public static int alignFromLeaderFlags(int flags) {
        if ((flags & DiskFormat.LFL_ALIGN_1M) != 0) {
            return MIB;
        }
        if ((flags & DiskFormat.LFL_ALIGN_2M) != 0) {
            return 2 * MIB;
        }
        if ((flags & DiskFormat.LFL_ALIGN_4M) != 0) {
            return 4 * MIB;
        }
        if ((flags & DiskFormat.LFL_ALIGN_8M) != 0) {
            return 8 * MIB;
        }
        return 0;
    }

    /**
     * The geometry a leader describes: its sector_size and align bit, or the
     * legacy rule when it carries no align bit.
     *
     * @throws SanlockException EINVAL when the stored pair is not valid
     */
    public static Geometry fromLeader(Leader leader) throws SanlockException {
        int align = alignFromLeaderFlags(leader.flags());
        if (align == 0) {
            return legacy(leader.sectorSize());
        }
        return of(leader.sectorSize(), align);
    }

    /**
     * Parses sanlock's {@code -A} value. Only {@code 1M}, {@code 2M},
     * {@code 4M} and {@code 8M} mean something; the reference ignores anything
     * else, so this returns 0 for it.
     */
    public static long parseAlignOption(String s) {
        return switch (s) {
            case "1M" -> MIB;
            case "2M" -> 2L * MIB;
            case "4M" -> 4L * MIB;
            case "8M" -> 8L * MIB;
            default -> 0;
        };
    }

    /** Lease sectors per area. */
    public int sectorsPerArea() {
        return alignSize / sectorSize;
    }

    /** Highest host_id (and number of delta leases / dblocks) an area of this geometry holds. */
    public int maxHosts() {
        return sectorSize == 512 ? 2000 : alignSize / MIB * 250;
    }

    /** Most entries an rindex of this geometry holds. */
    public int rindexMaxEntries() {
        return alignSize / MIB * 16000;
    }

    /** The LFL_ALIGN_* bit for this align size. */
    public int leaderAlignFlag() {
        return switch (alignSize / MIB) {
            case 1 -> DiskFormat.LFL_ALIGN_1M;
            case 2 -> DiskFormat.LFL_ALIGN_2M;
            case 4 -> DiskFormat.LFL_ALIGN_4M;
            default -> DiskFormat.LFL_ALIGN_8M;
        };
    }

    /** The RHF_ALIGN_* bit for this align size (rindex header). */
    public int rindexAlignFlag() {
        return switch (alignSize / MIB) {
            case 1 -> DiskFormat.RHF_ALIGN_1M;
            case 2 -> DiskFormat.RHF_ALIGN_2M;
            case 4 -> DiskFormat.RHF_ALIGN_4M;
            default -> DiskFormat.RHF_ALIGN_8M;
        };
    }

    /** Byte offset, from the area start, of host {@code hostId}'s delta lease. */
    public long deltaLeaseOffset(long hostId) {
        return (hostId - 1) * sectorSize;
    }

    /** Byte offset, from the area start, of host {@code hostId}'s dblock. */
    public long dblockOffset(long hostId) {
        return (DiskFormat.PAXOS_DBLOCK_FIRST_SECTOR + hostId - 1) * sectorSize;
    }

    /** Short text as the reference's usage names pairs, e.g. {@code 4096/8M}. */
    @Override
    public String toString() {
        return sectorSize + "/" + (alignSize / MIB) + "M";
    }
}
