package io.jsanlock.wire;

import io.jsanlock.base.SanlockError;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fixed-size byte fields of the C structs. Strings on the wire are opaque bytes with
 * no charset; Java strings here carry one char per byte (ISO-8859-1), so any byte
 * sequence round-trips exactly and names compare byte for byte as the reference does.
 */
final class Fields {
    private Fields() {}

    static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes {@code s} into a {@code size}-byte NUL-padded field. {@code needNul}: the
     * field must keep a terminating NUL (paths); otherwise a full-length value is allowed
     * (names).
     */
    static void putString(ByteBuffer buf, String what, String s, int size, boolean needNul) throws WireException {
        if (s != null && !io.jsanlock.base.ByteStrings.isByteString(s)) {
            // Sending '?' for it would name another file or lease: refuse Java text that was not encoded.
            throw new WireException(SanlockError.EINVAL, what + " is text, not a byte string (encode it with"
                    + " ByteStrings.utf8): " + abbreviate(s));
        }
        byte[] b = bytes(s);
        int max = needNul ? size - 1 : size;
        if (b.length > max) {
            throw new WireException(SanlockError.ENAMETOOLONG,
                    what + " is " + b.length + " bytes, at most " + max + " fit: " + abbreviate(s));
        }
        for (byte x : b) {
            if (x == 0) {
                throw new WireException(SanlockError.EINVAL, what + " contains a NUL byte: " + abbreviate(s));
            }
        }
        buf.put(b);
        for (int i = b.length; i < size; i++) {
            buf.put((byte) 0);
        }
    }

    /** Reads a NUL-padded field; the value ends at the first NUL or at the field's end. */
    static String getString(ByteBuffer buf, int size) {
        byte[] b = new byte[size];
        buf.get(b);
        int n = 0;
        while (n < size && b[n] != 0) {
            n++;
        }
        return string(Arrays.copyOf(b, n));
    }

    static void zeros(ByteBuffer buf, int n) {
        for (int i = 0; i < n; i++) {
            buf.put((byte) 0);
        }
    }

    static void need(ByteBuffer buf, int n, String what) throws WireException {
        if (buf.remaining() < n) {
            throw new WireException(SanlockError.ENOTCONN,
                    what + " needs " + n + " bytes, only " + buf.remaining() + " available");
        }
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
