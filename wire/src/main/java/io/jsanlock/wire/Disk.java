package io.jsanlock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code sanlk_disk} (1040 bytes): an unescaped path (≤ 1023 bytes) and a byte offset.
 * The path is a byte string (one char per byte, io.jsanlock.base.ByteStrings).
 * The two 32-bit pads are ignored on input (the reference echoes internal values there)
 * and written as zeros.
 */
public record Disk(String path, long offset) {
    public static final int SIZE = 1040;

    public Disk {
        path = path == null ? "" : path;
    }

    /** A disk whose path is the given bytes (no charset involved). */
    public static Disk of(byte[] path, long offset) {
        return new Disk(io.jsanlock.base.ByteStrings.of(path), offset);
    }

    public void encode(ByteBuffer buf) throws WireException {
        ByteBuffer b = buf.order(ByteOrder.LITTLE_ENDIAN);
        Fields.putString(b, "disk path", path, Limits.PATH_LEN, true);
        b.putLong(offset);
        b.putInt(0);
        b.putInt(0);
    }

    public static Disk decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_disk");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        String path = Fields.getString(buf, Limits.PATH_LEN);
        long offset = buf.getLong();
        buf.getInt();
        buf.getInt();
        return new Disk(path, offset);
    }
}
