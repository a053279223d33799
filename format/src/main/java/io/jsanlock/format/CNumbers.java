package io.jsanlock.format;

/**
 * The C library number parsers whose quirks sanlock's command line inherits:
 * {@code atoll} (leading decimal digits, garbage gives 0) and
 * {@code strtoull(s, NULL, 0)} (0x hex and 0 octal prefixes). Both stop at the
 * first character that is not a digit and never fail.
 */
public final class CNumbers {
    private CNumbers() {
    }

    /** C's atoll: optional blanks and sign, then decimal digits; 0 when none. */
    public static long atoll(String s) {
        int i = skipBlanks(s, 0);
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = v * 10 + (s.charAt(i) - '0');
            i++;
        }
        return neg ? -v : v;
    }

    /** C's strtoull with base 0: {@code 0x10} = 16, {@code 010} = 8, {@code 10} = 10. */
    public static long strtoull0(String s) {
        int i = skipBlanks(s, 0);
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        int base = 10;
        if (i + 1 < s.length() && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                && i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
            base = 16;
            i += 2;
        } else if (i < s.length() && s.charAt(i) == '0') {
            base = 8;
        }
        long v = 0;
        while (i < s.length()) {
            int d = Character.digit(s.charAt(i), base);
            if (d < 0 || s.charAt(i) > 0x7f) {
                break;
            }
            v = v * base + d;
            i++;
        }
        return neg ? -v : v;
    }

    /** True when {@code s} starts with a decimal digit. */
    public static boolean startsWithDigit(String s) {
        return !s.isEmpty() && s.charAt(0) >= '0' && s.charAt(0) <= '9';
    }

    /**
     * True when strtoull would read a number from {@code s}: blanks, an optional sign,
     * then a decimal digit (sanlock's resource offsets: {@code -1} and {@code " 5"} parse,
     * {@code abc} does not).
     */
    public static boolean startsWithNumber(String s) {
        int i = skipBlanks(s, 0);
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n')) {
            i++;
        }
        return i;
    }
}
