package io.jsanlock.wire;

import io.jsanlock.base.SanlockError;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 80-byte record the daemon pushes on a REG_EVENT channel (wire.md 3.8): a header
 * with version 1, cmd 1 (GET_EVENT), length 80; the event as the sending host set it;
 * the sending host's id and generation.
 */
public record EventCallback(HostEvent event, long fromHostId, long fromGeneration) {
    public static final int SIZE = 80;
    /** {@code cmd} of the callback header (the callback protocol's GET_EVENT). */
    public static final int CB_GET_EVENT = 1;

    public void encode(ByteBuffer buf) {
        new Header(Header.MAGIC, 1, CB_GET_EVENT, 0, SIZE, 0, 0, 0).encode(buf);
        event.encode(buf);
        buf.order(ByteOrder.LITTLE_ENDIAN).putLong(fromHostId).putLong(fromGeneration);
    }

    public static EventCallback decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "event callback record");
        Header h = Header.decode(buf);
        if (h.magic() != Header.MAGIC || h.cmd() != CB_GET_EVENT) {
            throw new WireException(SanlockError.EPROTO, "event record has a bad header: " + h);
        }
        HostEvent ev = HostEvent.decode(buf);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        return new EventCallback(ev, buf.getLong(), buf.getLong());
    }
}
