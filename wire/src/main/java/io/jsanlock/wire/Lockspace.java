package io.jsanlock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code sanlk_lockspace} (1104 bytes): name, host id, {@code SANLK_LSF_*} flags, 4 bytes
 * of padding (garbage in some reference replies; ignored, written as 0) and the host-id
 * disk (wire.md 3.4).
 */
public record Lockspace(String name, long hostId, int flags, Disk disk) {
    public static final int SIZE = 1104;

    public Lockspace {
        // callers outside the null-marked packages may pass null for either: no name, no disk
        name = name == null ? "" : name;
        disk = disk == null ? new Disk("", 0) : disk;
    }

    public static Lockspace of(String name, long hostId, String path, long offset) {
        return new Lockspace(name, hostId, 0, new Disk(path, offset));
    }

    /** Only the name set, as HOST_STATUS, RENEWAL, events and SET_CONFIG need. */
    public static Lockspace named(String name) {
        return new Lockspace(name, 0, 0, new Disk("", 0));
    }

    public void encode(ByteBuffer buf) throws WireException {
        ByteBuffer b = buf.order(ByteOrder.LITTLE_ENDIAN);
        Fields.putString(b, "lockspace name", name, Limits.NAME_LEN, false);
        b.putLong(hostId).putInt(flags).putInt(0);
        disk.encode(b);
    }

    public static Lockspace decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_lockspace");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        String name = Fields.getString(buf, Limits.NAME_LEN);
        long hostId = buf.getLong();
        int flags = buf.getInt();
        buf.getInt();
        return new Lockspace(name, hostId, flags, Disk.decode(buf));
    }
}
