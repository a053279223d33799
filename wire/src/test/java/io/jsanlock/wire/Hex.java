package io.jsanlock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

final class Hex {
    private Hex() {}

    /** Bytes from "10 20 28 04 ..." (whitespace ignored). */
    static byte[] bytes(String hex) {
        String h = hex.replaceAll("\\s+", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static ByteBuffer buf(String hex) {
        return ByteBuffer.wrap(bytes(hex)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] toArray(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
