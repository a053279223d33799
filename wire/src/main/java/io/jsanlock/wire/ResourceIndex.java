package io.jsanlock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code sanlk_rindex} (1104 bytes): flags (RIF align/sector), max resources, lockspace name, disk (wire.md 3.9). */
public record ResourceIndex(int flags, int maxResources, String lockspaceName, Disk disk) {
    public static final int SIZE = 1104;

    public ResourceIndex {
        lockspaceName = lockspaceName == null ? "" : lockspaceName;
        disk = disk == null ? new Disk("", 0) : disk;
    }

    public void encode(ByteBuffer buf) throws WireException {
        ByteBuffer b = buf.order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(flags).putInt(maxResources).putLong(0);
        Fields.putString(b, "lockspace name", lockspaceName, Limits.NAME_LEN, false);
        disk.encode(b);
    }

    public static ResourceIndex decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_rindex");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        int flags = buf.getInt();
        int max = buf.getInt();
        buf.getLong();
        String ls = Fields.getString(buf, Limits.NAME_LEN);
        return new ResourceIndex(flags, max, ls, Disk.decode(buf));
    }
}
