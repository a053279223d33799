package io.jsanlock.format;

import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;

/**
 * A whole delta-lease sector (ondisk.md 2.3): the leader at 0, zeros to 256,
 * the host-id bitmap at 256..511, zeros to the end of the sector. sanlock
 * always writes such a sector whole, built from zeros.
 */
public final class DeltaLeaseSector {
    private DeltaLeaseSector() {
    }

    /**
     * Builds the sector of {@code sectorSize} bytes at {@code off}: zeros, the
     * leader (with a fresh checksum) and, if not null, the bitmap. Joins and
     * leaves pass a null bitmap, which leaves it zero, as sanlock does.
     */
    public static void encode(ByteBuffer b, int off, int sectorSize, Leader leader, @Nullable HostIdBitmap bitmap) {
        Le.zero(b, off, sectorSize);
        leader.encode(b, off);
        if (bitmap != null) {
            bitmap.encode(b, off);
        }
    }
}
