package io.jsanlock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code sanlk_host_event} (32 bytes): destination host, its generation, event and data (wire.md 3.6). */
public record HostEvent(long hostId, long generation, long event, long data) {
    public static final int SIZE = 32;
    public static final HostEvent NONE = new HostEvent(0, 0, 0, 0);

    public void encode(ByteBuffer buf) {
        buf.order(ByteOrder.LITTLE_ENDIAN).putLong(hostId).putLong(generation).putLong(event).putLong(data);
    }

    public static HostEvent decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_host_event");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        return new HostEvent(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
    }
}
