package io.jsanlock.vm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;

class ConfFileTest {
    @Test
    void parsesLibvirtSyntax() throws VirError {
        ConfFile c = ConfFile.parse("f.conf", """
                # comment line
                a = 1   # trailing comment
                b = "two"; c = 'three'
                d = -4
                e = [ 1, "x",
                      2, ]
                f = \"\"\"multi
                line\"\"\"
                   g=+7
                """);
        assertThat(c.get("a")).isEqualTo(new ConfValue.Int(BigInteger.ONE, false));
        assertThat(c.get("b")).isEqualTo(new ConfValue.Str("two"));
        assertThat(c.get("c")).isEqualTo(new ConfValue.Str("three"));
        assertThat(c.get("d")).isEqualTo(new ConfValue.Int(BigInteger.valueOf(-4), true));
        assertThat(c.get("e")).isEqualTo(new ConfValue.ListValue(List.of(new ConfValue.Int(BigInteger.ONE, false),
                new ConfValue.Str("x"), new ConfValue.Int(BigInteger.TWO, false))));
        assertThat(c.get("f")).isEqualTo(new ConfValue.Str("multi\nline"));
        assertThat(c.get("g")).isEqualTo(new ConfValue.Int(BigInteger.valueOf(7), false));
        assertThat(c.get("missing")).isNull();
    }

    @Test
    void firstOccurrenceWins() throws VirError {
        ConfFile c = ConfFile.parse("f", "host_id = 1\nhost_id = 2\n");
        assertThat(c.get("host_id")).isEqualTo(new ConfValue.Int(BigInteger.ONE, false));
    }

    @Test
    void emptyFileAndNoTrailingNewline() throws VirError {
        assertThat(ConfFile.parse("f", "").values()).isEmpty();
        assertThat(ConfFile.parse("f", "x = 1").get("x")).isNotNull();
    }

    static void syntaxError(String text, String expected) {
        assertThatThrownBy(() -> ConfFile.parse("/etc/libvirt/qemu-sanlock.conf", text))
                .isInstanceOfSatisfying(VirError.class, e -> {
                    assertThat(e.code()).isEqualTo(VirErrorCode.CONF_SYNTAX);
                    assertThat(e.getMessage()).isEqualTo(
                            "configuration file syntax error: /etc/libvirt/qemu-sanlock.conf:" + expected);
                });
    }

    @Test
    void syntaxErrorsUseLibvirtsReasonsAndLines() {
        syntaxError("1abc = 1\n", "1: expecting a name");
        syntaxError("\n\nhost_id 1\n", "3: expecting an assignment");
        syntaxError("a = \n", "1: expecting a value");
        syntaxError("a = \"abc\nb = 1\n", "1: unterminated string");
        syntaxError("a = -\n", "1: unterminated number");
        syntaxError("a = 1 b = 2\n", "1: expecting a separator");
        syntaxError("a = [1 2]\n", "1: expecting a separator in list");
        syntaxError("a = [1, 2\n", "2: list is not closed with ]");
        syntaxError("x = 1\nauto_disk_leases = yes\n", "2: expecting a value");
    }
}
