package io.jsanlock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code sanlk_options} (56 bytes) at the end of every ACQUIRE body. {@code len} is
 * ignored by 3.8.5 on both sides (nothing follows the 56 bytes), so it is read but never
 * used to read more.
 */
public record Options(String ownerName, int flags, int len) {
    public static final int SIZE = 56;
    public static final Options NONE = new Options("", 0, 0);

    public Options {
        ownerName = ownerName == null ? "" : ownerName;
    }

    public static Options owner(String ownerName) {
        return new Options(ownerName, 0, 0);
    }

    public void encode(ByteBuffer buf) throws WireException {
        ByteBuffer b = buf.order(ByteOrder.LITTLE_ENDIAN);
        Fields.putString(b, "owner name", ownerName, Limits.NAME_LEN, false);
        b.putInt(flags).putInt(0);
    }

    public static Options decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_options");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        return new Options(Fields.getString(buf, Limits.NAME_LEN), buf.getInt(), buf.getInt());
    }
}
