package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code sanlk_host} (32 bytes): GET_HOSTS and READ_RESOURCE_OWNERS entries (wire.md 3.5). */
public record Host(long hostId, long generation, long timestamp, int ioTimeout, int flags) {
    public static final int SIZE = 32;

    /** The state in the low nibble of flags (null when undefined; NONE in READ_RESOURCE_OWNERS). */
    public @Nullable HostState state() {
        return HostState.ofFlags(flags);
    }

    public void encode(ByteBuffer buf) {
        buf.order(ByteOrder.LITTLE_ENDIAN).putLong(hostId).putLong(generation).putLong(timestamp)
                .putInt(ioTimeout).putInt(flags);
    }

    public static Host decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_host");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        return new Host(buf.getLong(), buf.getLong(), buf.getLong(), buf.getInt(), buf.getInt());
    }
}
