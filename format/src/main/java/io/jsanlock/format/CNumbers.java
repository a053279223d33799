package io.jsanlock.format;

/**
 * The C library number parsers whose quirks sanlock's command line and libsanlock
 * inherit: {@code atoll} (leading decimal digits, garbage gives 0) and {@code strtoull}
 * (base 10, or base 0 with {@code 0x} hex and {@code 0} octal prefixes). All stop at the
 * first character that is not a digit and never fail. Leading white space is C's
 * {@code isspace} in the C locale (space, \t, \n, \v, \f, \r) and nothing else; a value
 * that does not fit saturates as glibc's does (atoll at Long.MIN/MAX_VALUE, strtoull at
 * ULLONG_MAX, i.e. -1L, whatever the sign).
 */
public final class CNumbers {
    private CNumbers() {
    }

    /** C's atoll: optional white space and sign, then decimal digits; 0 when none. */
    public static long atoll(String s) {
        int i = skipSpace(s, 0);
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        for (; i < s.length() && isDigit(s.charAt(i), 10); i++) {
            int d = s.charAt(i) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }

    /** C's strtoull with base 0: {@code 0x10} = 16, {@code 010} = 8, {@code 10} = 10. */
    public static long strtoull0(String s) {
        return strtoull(s, 0);
    }

    /** C's strtoull with base 10: {@code 010} = 10, {@code 0x10} = 0, {@code -1} = ULLONG_MAX. */
    public static long strtoull10(String s) {
        return strtoull(s, 10);
    }

    private static long strtoull(String s, int base) {
        int i = skipSpace(s, 0);
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        if (base == 0) {
            if (i + 2 < s.length() && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                    && isDigit(s.charAt(i + 2), 16)) {
                base = 16;
                i += 2;
            } else if (i < s.length() && s.charAt(i) == '0') {
                base = 8;
            } else {
                base = 10;
            }
        }
        long v = 0;
        boolean overflow = false;
        for (; i < s.length() && isDigit(s.charAt(i), base); i++) {
            int d = Character.digit(s.charAt(i), base);
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, base)) > 0) {
                overflow = true;
            } else {
                v = v * base + d;
            }
        }
        if (overflow) {
            return -1L;
        }
        return neg ? -v : v;
    }

    /** True when {@code s} starts with a decimal digit. */
    public static boolean startsWithDigit(String s) {
        return !s.isEmpty() && isDigit(s.charAt(0), 10);
    }

    /**
     * True when strtoull would read a number from {@code s}: white space, an optional sign,
     * then a decimal digit (libsanlock's resource offsets: {@code -1}, {@code " 5"} and
     * a vertical tab before the 5 parse; {@code abc}, {@code "- 5"} and 0x1C before the 5 do not).
     */
    public static boolean startsWithNumber(String s) {
        int i = skipSpace(s, 0);
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        return i < s.length() && isDigit(s.charAt(i), 10);
    }

    /** C's isspace in the C locale. Java's isWhitespace also takes 0x1C-0x1F and Unicode spaces; C does not. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean isDigit(char c, int base) {
        return c < 0x80 && Character.digit(c, base) >= 0;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
