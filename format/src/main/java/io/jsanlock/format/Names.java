package io.jsanlock.format;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * sanlock's fixed 48-byte name fields.
 *
 * <p>sanlock treats names as byte strings, not text. jsanlock carries them in
 * Java Strings whose chars are those bytes (ISO-8859-1: char c = byte c), so
 * every byte survives decode/encode and prints back unchanged through a
 * Latin-1 output stream ({@link io.jsanlock.base.ByteStrings}; paths follow the
 * same rule). The command line reads its argv as bytes, so its arguments are
 * already in that form; {@link #fromArgument(String)} converts text a Java caller
 * holds (decoded by the JVM with the platform charset) to it.
 *
 * <p>A name shorter than 48 bytes is NUL-padded; one of exactly 48 bytes has no
 * terminating NUL. Decoding stops at the first NUL.
 */
public final class Names {
    private static final Charset NATIVE = io.jsanlock.base.ByteStrings.platformCharset();

    private Names() {
    }

    /** The byte string (as a Latin-1 String) of text decoded by the JVM with the platform charset. */
    public static String fromArgument(String s) {
        boolean ascii = true;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        return ascii ? s : io.jsanlock.base.ByteStrings.encoded(s, NATIVE);
    }

    /** Length in bytes of a byte-string name. */
    public static int byteLength(String name) {
        return name.length();
    }

    /** Reads the name field at {@code off}: bytes up to the first NUL or 48 bytes. */
    public static String decode(ByteBuffer b, int off) {
        int len = 0;
        while (len < DiskFormat.NAME_LEN && b.get(off + len) != 0) {
            len++;
        }
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) (b.get(off + i) & 0xFF);
        }
        return new String(c);
    }

    /**
     * Writes {@code name} into the 48-byte field at {@code off}, NUL padded.
     * Bytes beyond 48 are cut (callers validate length first where sanlock
     * refuses long names).
     */
    public static void encode(ByteBuffer b, int off, String name) {
        int len = Math.min(name.length(), DiskFormat.NAME_LEN);
        for (int i = 0; i < len; i++) {
            b.put(off + i, (byte) name.charAt(i));
        }
        for (int i = len; i < DiskFormat.NAME_LEN; i++) {
            b.put(off + i, (byte) 0);
        }
    }

    /** sanlock's 48-byte comparison of two name fields (strncmp over 48). */
    public static boolean sameName(String a, String b) {
        return truncate(a).equals(truncate(b));
    }

    /** The name cut to the 48 bytes a field can hold. */
    public static String truncate(String name) {
        return name.length() <= DiskFormat.NAME_LEN ? name : name.substring(0, DiskFormat.NAME_LEN);
    }
}
