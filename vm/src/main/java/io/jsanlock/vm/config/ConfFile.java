package io.jsanlock.vm.config;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed libvirt configuration file (the syntax every libvirt .conf shares, vm-leases.md
 * §1.3): {@code name = value} statements ended by a newline or ';', '#' comments, integer,
 * quoted-string and list values. When a key appears twice the first occurrence wins, as in
 * libvirt. Syntax errors carry libvirt's exact wording and the line they were found on.
 */
public final class ConfFile {
    private final String fileName;
    private final Map<String, ConfValue> values;

    private ConfFile(String fileName, Map<String, ConfValue> values) {
        this.fileName = fileName;
        this.values = Collections.unmodifiableMap(values);
    }

    public String fileName() {
        return fileName;
    }

    /** The value of the first statement naming {@code key}, or null. */
    public ConfValue get(String key) {
        return values.get(key);
    }

    public Map<String, ConfValue> values() {
        return values;
    }

    /** Parses {@code text}; {@code fileName} is what error messages call the file. */
    public static ConfFile parse(String fileName, String text) throws VirError {
        return new Parser(fileName, text).parse();
    }

    private static final class Parser {
        private final String file;
        private final String s;
        private int pos;
        private int line = 1;
        private final Map<String, ConfValue> out = new LinkedHashMap<>();

        Parser(String file, String s) {
            this.file = file;
            this.s = s;
        }

        private boolean eof() {
            return pos >= s.length();
        }

        private char cur() {
            return s.charAt(pos);
        }

        private VirError error(String reason) {
            return new VirError(VirErrorCode.CONF_SYNTAX, file + ":" + line + ": " + reason);
        }

        private void skipBlanks() {
            while (!eof() && (cur() == ' ' || cur() == '\t' || cur() == '\r')) {
                pos++;
            }
        }

        /** Skips blanks, comments and newlines (inside lists). */
        private void skipBlanksAndNewlines() {
            while (!eof()) {
                char c = cur();
                if (c == ' ' || c == '\t' || c == '\r') {
                    pos++;
                } else if (c == '\n') {
                    pos++;
                    line++;
                } else if (c == '#') {
                    skipComment();
                } else {
                    return;
                }
            }
        }

        private void skipComment() {
            while (!eof() && cur() != '\n') {
                pos++;
            }
        }

        ConfFile parse() throws VirError {
            while (!eof()) {
                skipBlanks();
                if (eof()) {
                    break;
                }
                char c = cur();
                if (c == '\n') {
                    pos++;
                    line++;
                    continue;
                }
                if (c == '#') {
                    skipComment();
                    continue;
                }
                if (c == ';') {
                    pos++;
                    continue;
                }
                statement();
            }
            return new ConfFile(file, out);
        }

        private void statement() throws VirError {
            String name = name();
            skipBlanks();
            if (eof() || cur() != '=') {
                throw error("expecting an assignment");
            }
            pos++;
            skipBlanks();
            ConfValue value = value();
            skipBlanks();
            if (!eof() && cur() == '#') {
                skipComment();
            }
            if (!eof()) {
                char c = cur();
                if (c == ';') {
                    pos++;
                } else if (c == '\n') {
                    pos++;
                    line++;
                } else {
                    throw error("expecting a separator");
                }
            }
            out.putIfAbsent(name, value);
        }

        private String name() throws VirError {
            int start = pos;
            if (eof() || !isAsciiLetter(cur())) {
                throw error("expecting a name");
            }
            pos++;
            while (!eof() && (isAsciiLetter(cur()) || (cur() >= '0' && cur() <= '9') || cur() == '_')) {
                pos++;
            }
            return s.substring(start, pos);
        }

        private static boolean isAsciiLetter(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }

        private ConfValue value() throws VirError {
            if (eof()) {
                throw error("expecting a value");
            }
            char c = cur();
            if (c == '"' || c == '\'') {
                return new ConfValue.Str(string());
            }
            if (c == '[') {
                return list();
            }
            if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
                return number();
            }
            throw error("expecting a value");
        }

        private String string() throws VirError {
            char q = cur();
            if (q == '"' && s.startsWith("\"\"\"", pos)) {
                int start = pos + 3;
                int end = s.indexOf("\"\"\"", start);
                if (end < 0) {
                    throw error("unterminated string");
                }
                String v = s.substring(start, end);
                line += (int) v.chars().filter(ch -> ch == '\n').count();
                pos = end + 3;
                return v;
            }
            int start = ++pos;
            while (!eof() && cur() != q && cur() != '\n') {
                pos++;
            }
            if (eof() || cur() != q) {
                throw error("unterminated string");
            }
            String v = s.substring(start, pos);
            pos++;
            return v;
        }

        private ConfValue number() throws VirError {
            boolean negative = false;
            if (cur() == '+' || cur() == '-') {
                negative = cur() == '-';
                pos++;
            }
            if (eof() || !(cur() >= '0' && cur() <= '9')) {
                throw error("unterminated number");
            }
            int start = pos;
            while (!eof() && cur() >= '0' && cur() <= '9') {
                pos++;
            }
            BigInteger v = new BigInteger(s.substring(start, pos));
            return new ConfValue.Int(negative ? v.negate() : v, negative);
        }

        private ConfValue list() throws VirError {
            pos++; // '['
            List<ConfValue> items = new ArrayList<>();
            skipBlanksAndNewlines();
            if (!eof() && cur() == ']') {
                pos++;
                return new ConfValue.ListValue(items);
            }
            while (true) {
                skipBlanksAndNewlines();
                if (eof()) {
                    throw error("list is not closed with ]");
                }
                if (cur() == ']') { // trailing comma
                    pos++;
                    return new ConfValue.ListValue(items);
                }
                items.add(value());
                skipBlanksAndNewlines();
                if (eof()) {
                    throw error("list is not closed with ]");
                }
                if (cur() == ',') {
                    pos++;
                    continue;
                }
                if (cur() == ']') {
                    pos++;
                    return new ConfValue.ListValue(items);
                }
                throw error("expecting a separator in list");
            }
        }
    }
}
