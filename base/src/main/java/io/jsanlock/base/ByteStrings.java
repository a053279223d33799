package io.jsanlock.base;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Linux paths and sanlock names are byte strings, not text. jsanlock carries them in
 * Java Strings whose chars are those bytes (ISO-8859-1: char c = byte c): every byte
 * sequence, UTF-8 or not, survives from the wire or argv to open(2), onto disk and back
 * into every printed line through a Latin-1 stream, whatever the locale.
 *
 * <p>A Latin-1 String rather than a byte-string type: the whole project (wire records,
 * on-disk name fields, the engine's maps keyed by name and path) already uses this
 * convention for names, so paths join it without changing a signature. The rule is:
 * never hand such a String to anything that encodes with a charset (java.nio.file.Path,
 * {@code Arena.allocateFrom(String)}, a UTF-8 PrintStream); go through {@link #toBytes}.
 */
public final class ByteStrings {
    private ByteStrings() {
    }

    /** The byte string carrying exactly {@code bytes}. */
    public static String of(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The byte string of {@code text} encoded as UTF-8 (Java text to a Linux name or path). */
    public static String utf8(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The byte string of {@code text} encoded with {@code charset}. */
    public static String encoded(String text, Charset charset) {
        return of(text.getBytes(charset));
    }

    /** The bytes a byte string carries. A char above U+00FF cannot be one: refused. */
    public static byte[] toBytes(String byteString) {
        int n = byteString.length();
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = byteString.charAt(i);
            if (c > 0xFF) {
                throw new IllegalArgumentException("not a byte string (char U+" + Integer.toHexString(c)
                        + " at " + i + "): encode text with ByteStrings.utf8 first");
            }
            b[i] = (byte) c;
        }
        return b;
    }

    /** True when every char is a byte (at most U+00FF). */
    public static boolean isByteString(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    /** The NUL-terminated bytes of a byte string, for a C call (open, stat, ...). */
    public static byte[] toCString(String byteString) {
        byte[] b = toBytes(byteString);
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, b.length);
        return c;
    }

    /**
     * The JVM's charset for argv, environment and file names ({@code sun.jnu.encoding},
     * from the locale): what a String the JVM decoded from the OS was decoded with.
     */
    public static Charset platformCharset() {
        String enc = System.getProperty("sun.jnu.encoding");
        try {
            return enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
