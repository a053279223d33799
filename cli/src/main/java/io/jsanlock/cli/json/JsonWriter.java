package io.jsanlock.cli.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code --json} output of jsanlock's CLI: one compact JSON document per command,
 * written by hand so that no JSON library loads at start-up. The text is pure ASCII
 * (everything else is escaped as backslash-u and four hex digits), so it survives any output stream.
 *
 * <p>Names and paths are byte strings (Latin-1 chars = bytes, as in
 * {@code io.jsanlock.format.Names}). {@link #bytes} writes one as a JSON string holding
 * the UTF-8 decoding of the bytes; when the bytes are not valid UTF-8 the string holds
 * the decoding with U+FFFD for each bad sequence, and a twin member {@code <key>_hex}
 * carries the exact bytes in lowercase hex. A reader gets the exact bytes back from
 * {@code <key>_hex} when present, else from the UTF-8 encoding of {@code <key>}
 * (docs/schema/jsanlock-output.schema.json, {@code $defs/bytes}).
 */
public final class JsonWriter {
    private final StringBuilder b = new StringBuilder(1024);
    /** One bit per open container: whether something was already written in it. */
    private long started;
    private int depth;
    private boolean afterName;

    public JsonWriter beginObject() {
        open('{');
        return this;
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        open('[');
        return this;
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** Starts member {@code key} (an ASCII identifier) of the current object. */
    public JsonWriter name(String key) {
        separate();
        text(key);
        b.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(long v) {
        separate();
        b.append(v);
        return this;
    }

    /** An unsigned 64-bit value from the disk or the wire. */
    public JsonWriter unsigned(long v) {
        separate();
        b.append(Long.toUnsignedString(v));
        return this;
    }

    public JsonWriter value(boolean v) {
        separate();
        b.append(v);
        return this;
    }

    public JsonWriter nullValue() {
        separate();
        b.append("null");
        return this;
    }

    /** A string that is text (a state, a mode), not bytes from storage or the wire. */
    public JsonWriter value(String s) {
        separate();
        text(s);
        return this;
    }

    public JsonWriter member(String key, long v) {
        return name(key).value(v);
    }

    public JsonWriter memberUnsigned(String key, long v) {
        return name(key).unsigned(v);
    }

    public JsonWriter member(String key, boolean v) {
        return name(key).value(v);
    }

    public JsonWriter member(String key, String text) {
        return name(key).value(text);
    }

    /**
     * Member {@code key} holding the byte string {@code latin1} (chars = bytes), with
     * {@code key_hex} beside it when the bytes are not valid UTF-8.
     */
    public JsonWriter bytes(String key, String latin1) {
        String decoded = utf8(latin1);
        if (decoded != null) {
            return name(key).value(decoded);
        }
        name(key).value(lossy(latin1));
        return name(key + "_hex").value(hex(latin1));
    }

    /** The document, with a final newline. */
    @Override
    public String toString() {
        return b.toString() + "\n";
    }

    private void open(char c) {
        separate();
        b.append(c);
        depth++;
        if (depth >= 64) {
            throw new IllegalStateException("JSON nested too deep");
        }
        started &= ~(1L << depth);
    }

    private JsonWriter close(char c) {
        b.append(c);
        depth--;
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if ((started & (1L << depth)) != 0) {
            b.append(',');
        }
        started |= 1L << depth;
    }

    private void text(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c >= 0x7F) {
                        b.append("\\u");
                        String h = Integer.toHexString(c);
                        b.append("0".repeat(4 - h.length())).append(h);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** The text of UTF-8 bytes {@code latin1}, or null when they are not valid UTF-8. */
    static String utf8(String latin1) {
        boolean ascii = true;
        for (int i = 0; i < latin1.length(); i++) {
            char c = latin1.charAt(i);
            if (c > 0xFF) {
                // Not a byte string: already text.
                return latin1;
            }
            if (c >= 0x80) {
                ascii = false;
            }
        }
        if (ascii) {
            return latin1;
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer cb = d.decode(ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1)));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String lossy(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static String hex(String latin1) {
        StringBuilder h = new StringBuilder(latin1.length() * 2);
        for (int i = 0; i < latin1.length(); i++) {
            int v = latin1.charAt(i) & 0xFF;
            h.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
        }
        return h.toString();
    }
}
