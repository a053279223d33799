package io.jsanlock.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Resource strings parsed by our one parser and by libsanlock 3.8.5's own
 * {@code sanlock_str_to_res} (called through python3's ctypes by str_to_res.py), input by
 * input: white space and signs before numbers, number forms and overflow, empty fields.
 * The two parsers this project used to have differed exactly here (one refused {@code " 5"}
 * as an offset, the other took Java's idea of white space).
 */
class ResourceStringParityTest {
    static final List<String> INPUTS = List.of(
            "LS:R:p:5", "LS:R:p: 5", "LS:R:p:\t5", "LS:R:p:\n5", "LS:R:p:\u000b5", "LS:R:p:\f5", "LS:R:p:\r5",
            "LS:R:p:\u001c5", "LS:R:p:\u00a05", "LS:R:p:  \t 5x",
            "LS:R:p:+5", "LS:R:p:-1", "LS:R:p:- 5", "LS:R:p:+-5", "LS:R:p:-0",
            "LS:R:p:0x10", "LS:R:p:010", "LS:R:p:1M",
            "LS:R:p:18446744073709551615", "LS:R:p:18446744073709551616", "LS:R:p:99999999999999999999",
            "LS:R:p:-18446744073709551615", "LS:R:p:-99999999999999999999",
            "LS:R:p:0: 7", "LS:R:p:0:\u000b7", "LS:R:p:0:\r7", "LS:R:p:0:\u001c7", "LS:R:p:0:   ",
            "LS:R:p:0:", "LS:R:p:0:-1", "LS:R:p:0: -0x10", "LS:R:p:0:+0x1f", "LS:R:p:0:0x", "LS:R:p:0:0xg",
            "LS:R:p:0:09", "LS:R:p:0:99999999999999999999", "LS:R:p:0: SH", "LS:R:p:0:SHX", "LS:R:p:0:S",
            "LS:R:p:0::p:1", "LS:R:p:0:p2:", "LS:R:p:0:p2:1:", "LS:R:p:", "LS:R:", "LS:", ":", "::",
            ":R:p:0", "LS::p:0", "LS:R: p :0", "LS:R:a\\ b:0:1", "LS:R:p:0:p2:512:9");

    @Test
    void whiteSpaceSignsAndNumbersParseAsLibsanlockParsesThem() throws Exception {
        List<String> reference = libsanlock(INPUTS);
        assertThat(reference).hasSameSizeAs(INPUTS);
        for (int i = 0; i < INPUTS.size(); i++) {
            assertThat(ours(INPUTS.get(i))).as("%s", visible(INPUTS.get(i))).isEqualTo(reference.get(i));
        }
    }

    /** The input with control and non-ASCII characters as \xNN, for failure messages. */
    static String visible(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** The script's line format, made from our parser. */
    static String ours(String s) {
        Resource r;
        try {
            r = ResourceStrings.parseResource(s);
        } catch (WireException e) {
            return "rv " + e.code();
        }
        HexFormat hex = HexFormat.of();
        List<String> disks = new ArrayList<>();
        for (Disk d : r.disks()) {
            disks.add(hex.formatHex(d.path().getBytes(StandardCharsets.ISO_8859_1)) + "@" + Long.toUnsignedString(d.offset()));
        }
        return "ls=" + hex.formatHex(r.lockspace().getBytes(StandardCharsets.ISO_8859_1))
                + " name=" + hex.formatHex(r.name().getBytes(StandardCharsets.ISO_8859_1))
                + " lver=" + Long.toUnsignedString(r.lver()) + " flags=" + r.flags() + " disks=" + String.join(",", disks);
    }

    static List<String> libsanlock(List<String> inputs) throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/str_to_res.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectErrorStream(true).start();
        StringBuilder in = new StringBuilder();
        for (String s : inputs) {
            in.append(HexFormat.of().formatHex(s.getBytes(StandardCharsets.ISO_8859_1))).append('\n');
        }
        try (var os = p.getOutputStream()) {
            os.write(in.toString().getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("str_to_res.py finished").isTrue();
        assertThat(p.exitValue()).as("str_to_res.py (needs python3 and libsanlock.so.1): %s", out).isZero();
        return out.lines().toList();
    }
}
