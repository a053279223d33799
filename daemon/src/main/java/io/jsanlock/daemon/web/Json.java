package io.jsanlock.daemon.web;

/**
 * A minimal JSON writer for the web view's state document: objects, arrays, strings, numbers and
 * booleans, with the separators placed by the writer. Strings are escaped per RFC 8259 (control
 * characters as \\u00XX), so any lockspace, resource or host name can appear.
 */
final class Json {
    private final StringBuilder out = new StringBuilder(4096);
    /** Whether the next value in the current container needs a comma before it. */
    private boolean comma;

    Json beginObject() {
        sep();
        out.append('{');
        comma = false;
        return this;
    }

    Json endObject() {
        out.append('}');
        comma = true;
        return this;
    }

    Json beginArray() {
        sep();
        out.append('[');
        comma = false;
        return this;
    }

    Json endArray() {
        out.append(']');
        comma = true;
        return this;
    }

    /** A member name; the value follows with one of the value methods. */
    Json name(String n) {
        sep();
        string(n);
        out.append(':');
        comma = false;
        return this;
    }

    Json value(String s) {
        sep();
        string(s);
        comma = true;
        return this;
    }

    Json value(long n) {
        sep();
        out.append(n);
        comma = true;
        return this;
    }

    Json value(double d) {
        sep();
        out.append(Double.isFinite(d) ? Double.toString(d) : "null");
        comma = true;
        return this;
    }

    Json value(boolean b) {
        sep();
        out.append(b);
        comma = true;
        return this;
    }

    Json member(String n, String v) {
        return name(n).value(v);
    }

    Json member(String n, long v) {
        return name(n).value(v);
    }

    Json member(String n, double v) {
        return name(n).value(v);
    }

    Json member(String n, boolean v) {
        return name(n).value(v);
    }

    private void sep() {
        if (comma) {
            out.append(',');
            comma = false;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        // also <, > and &: the document can never close a script element it is pasted into
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
