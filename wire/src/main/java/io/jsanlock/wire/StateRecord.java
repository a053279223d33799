package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One record of a STATUS, HOST_STATUS or RENEWAL stream (wire.md 3.7, 5): the 80-byte
 * {@code sanlk_state}, its {@code key=value} text (without the NUL here), and the
 * binary tail a LOCKSPACE ({@link Lockspace}) or RESOURCE ({@link Resource} with disks)
 * record carries. {@code lockspace}/{@code resource} are null for other types.
 */
public record StateRecord(StateType type, int flags, int data32, long data64, String name, String text,
                          @Nullable Lockspace lockspace, @Nullable Resource resource) {
    public static final int HEAD_SIZE = 80;

    public StateRecord {
        name = name == null ? "" : name;
        text = text == null ? "" : text;
    }

    /** The text as an ordered key → value map (items separated by single spaces). */
    public Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return m;
        }
        for (String item : text.split(" ")) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                m.put(item, "");
            } else {
                m.put(item.substring(0, eq), item.substring(eq + 1));
            }
        }
        return m;
    }

    /** The value of one text key, or null. */
    public @Nullable String field(String key) {
        return fields().get(key);
    }

    public int encodedSize() {
        int n = HEAD_SIZE + Fields.bytes(text).length + 1;
        if (type == StateType.LOCKSPACE) {
            n += Lockspace.SIZE;
        } else if (type == StateType.RESOURCE) {
            n += Objects.requireNonNull(resource, "a RESOURCE record has its resource").encodedSize(true);
        }
        return n;
    }

    public void encode(ByteBuffer buf) throws WireException {
        byte[] t = Fields.bytes(text);
        if (t.length + 1 > Limits.MAX_STATE_TEXT_LEN) {
            throw new WireException(SanlockError.E2BIG, "status text of " + t.length + " bytes exceeds 4095");
        }
        ByteBuffer b = buf.order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type.value()).putInt(flags).putInt(data32).putInt(0).putLong(data64);
        Fields.putString(b, "state name", name, Limits.NAME_LEN, false);
        b.putInt(t.length + 1).putInt(0);
        b.put(t).put((byte) 0);
        if (type == StateType.LOCKSPACE) {
            Objects.requireNonNull(lockspace, "a LOCKSPACE record has its lockspace").encode(b);
        } else if (type == StateType.RESOURCE) {
            Objects.requireNonNull(resource, "a RESOURCE record has its resource").encode(b, true);
        }
    }

    /**
     * Reads one record, or returns null at a clean end of stream (the daemon closes the
     * connection after the last record). str_len and num_disks are checked before
     * anything is allocated for them.
     */
    public static @Nullable StateRecord read(WireIn in) throws IOException, WireException {
        ByteBuffer h = in.readOrEof(HEAD_SIZE);
        if (h == null) {
            return null;
        }
        h.order(ByteOrder.LITTLE_ENDIAN);
        int typeValue = h.getInt();
        StateType type = StateType.of(typeValue);
        if (type == null) {
            throw new WireException(SanlockError.EPROTO, "status record has unknown type " + typeValue);
        }
        int flags = h.getInt();
        int data32 = h.getInt();
        h.getInt();
        long data64 = h.getLong();
        String name = Fields.getString(h, Limits.NAME_LEN);
        int strLen = h.getInt();
        if (strLen < 0 || strLen > Limits.MAX_STATE_TEXT_LEN) {
            throw new WireException(SanlockError.EPROTO,
                    "status record str_len " + Integer.toUnsignedString(strLen) + " exceeds " + Limits.MAX_STATE_TEXT_LEN);
        }
        String text = "";
        if (strLen > 0) {
            ByteBuffer t = in.read(strLen, "status record text");
            text = Fields.getString(t, strLen);
        }
        Lockspace ls = null;
        Resource res = null;
        if (type == StateType.LOCKSPACE) {
            ls = Lockspace.decode(in.read(Lockspace.SIZE, "lockspace record tail"));
        } else if (type == StateType.RESOURCE) {
            Resource head = Resource.decodeHead(in.read(Resource.SIZE, "resource record tail"));
            if (head.numDisks() < 0 || head.numDisks() > Limits.MAX_DISKS) {
                head.checkNumDisks();
            }
            res = head.withDisksFrom(in.read(head.numDisks() * Disk.SIZE, "resource record disks"));
        }
        return new StateRecord(type, flags, data32, data64, name, text, ls, res);
    }
}
