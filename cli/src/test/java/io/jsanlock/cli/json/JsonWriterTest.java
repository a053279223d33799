package io.jsanlock.cli.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    /** The Latin-1 form (chars = bytes) of a byte string. */
    private static String bytes(byte... b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void nestedContainersGetCommasOnlyBetweenMembers() {
        String s = new JsonWriter().beginObject().member("a", 1).name("b").beginArray().value(1).beginObject().endObject()
                .beginArray().endArray().value(true).nullValue().endArray().memberUnsigned("c", -1L).endObject().toString();
        assertThat(s).isEqualTo("{\"a\":1,\"b\":[1,{},[],true,null],\"c\":18446744073709551615}\n");
    }

    @Test
    void textIsEscapedToAscii() {
        String s = new JsonWriter().beginArray().value("q\"b\\n\n\t\u0001\u007f\u00e9\ud83d\ude00").endArray().toString();
        assertThat(s).isEqualTo("[\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\\u00e9\\ud83d\\ude00\"]\n");
    }

    @Test
    void utf8BytesBecomeTheirTextWithoutATwin() {
        // "é" as UTF-8 bytes c3 a9
        String s = new JsonWriter().beginObject().bytes("name", bytes((byte) 'v', (byte) 0xC3, (byte) 0xA9)).endObject().toString();
        assertThat(s).isEqualTo("{\"name\":\"v\\u00e9\"}\n");
    }

    @Test
    void bytesThatAreNotUtf8KeepAHexTwin() {
        String s = new JsonWriter().beginObject().bytes("name", bytes((byte) 'R', (byte) 0xFF, (byte) 0xC3)).member("x", 1)
                .endObject().toString();
        assertThat(s).isEqualTo("{\"name\":\"R\\ufffd\\ufffd\",\"name_hex\":\"52ffc3\",\"x\":1}\n");
    }
}
