package io.jsanlock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code sanlk_rentry} (64 bytes): name, offset, flags (wire.md 3.9). */
public record ResourceEntry(String name, long offset, int flags) {
    public static final int SIZE = 64;
    public static final ResourceEntry EMPTY = new ResourceEntry("", 0, 0);

    public ResourceEntry {
        name = name == null ? "" : name;
    }

    public void encode(ByteBuffer buf) throws WireException {
        ByteBuffer b = buf.order(ByteOrder.LITTLE_ENDIAN);
        Fields.putString(b, "resource name", name, Limits.NAME_LEN, false);
        b.putLong(offset).putInt(flags).putInt(0);
    }

    public static ResourceEntry decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_rentry");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        String name = Fields.getString(buf, Limits.NAME_LEN);
        long off = buf.getLong();
        int flags = buf.getInt();
        buf.getInt();
        return new ResourceEntry(name, off, flags);
    }
}
