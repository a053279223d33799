package io.jsanlock.format;

import java.nio.ByteBuffer;

/**
 * The paxos request record, sector 1 of a resource area (ondisk.md 2.4).
 * No checksum. Bytes 20..23 are C padding that sanlock sometimes fills with
 * garbage: decode ignores them, encode writes zeros.
 *
 * @param forceMode 0 none, 1 SANLK_REQ_FORCE, 2 SANLK_REQ_GRACEFUL
 */
public record RequestRecord(int magic, int version, long lver, int forceMode) {
    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_LVER = 8;
    public static final int OFF_FORCE_MODE = 16;

    /** The record {@code direct init -r} writes: no request. */
    public static final RequestRecord EMPTY = of(0, 0);

    /** A current-version request for {@code lver} with {@code forceMode}. */
    public static RequestRecord of(long lver, int forceMode) {
        return new RequestRecord(DiskFormat.REQ_DISK_MAGIC, DiskFormat.REQ_DISK_VERSION, lver, forceMode);
    }

    public static RequestRecord decode(ByteBuffer b, int off) {
        return new RequestRecord(Le.u32(b, off + OFF_MAGIC), Le.u32(b, off + OFF_VERSION), Le.u64(b, off + OFF_LVER),
                Le.u32(b, off + OFF_FORCE_MODE));
    }

    /** Writes the 24-byte record (padding zero) at {@code off}; the rest of the sector is the caller's. */
    public void encode(ByteBuffer b, int off) {
        Le.putU32(b, off + OFF_MAGIC, magic);
        Le.putU32(b, off + OFF_VERSION, version);
        Le.putU64(b, off + OFF_LVER, lver);
        Le.putU32(b, off + OFF_FORCE_MODE, forceMode);
        Le.putU32(b, off + 20, 0);
    }
}
