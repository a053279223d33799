package io.jsanlock.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LOCKSPACE and RESOURCE strings, with the cases of wire.md 7.3. */
class SpecParsingTest {
    @Test
    void lockspaceStrings() {
        assertThat(LockspaceSpec.parse("LS:1:leases/f:0")).isEqualTo(new LockspaceSpec("LS", 1, "leases/f", 0));
        assertThat(LockspaceSpec.parse("LS")).isEqualTo(new LockspaceSpec("LS", 0, "", 0));
        assertThat(LockspaceSpec.parse("LS:1:leases/f:0M")).isEqualTo(new LockspaceSpec("LS", 1, "leases/f", 0));
        assertThat(LockspaceSpec.parse("LS:1:f:2M").offset()).isEqualTo(2097152);
        assertThat(LockspaceSpec.parse("LS:7x:f:12abc")).isEqualTo(new LockspaceSpec("LS", 7, "f", 12));
        // A backslash protects a colon; the path loses its backslashes, the name keeps them.
        assertThat(LockspaceSpec.parse("L\\:S:1:a\\:b:512")).isEqualTo(new LockspaceSpec("L\\:S", 1, "a:b", 512));
        assertThat(LockspaceSpec.parse("LS:1:f:0:extra").offset()).isZero();
        assertThat(LockspaceSpec.parse("n".repeat(60) + ":1:f:0").name()).isEqualTo("n".repeat(48));
        assertThat(new LockspaceSpec("LS", 1, "a:b c", 0).toString()).isEqualTo("LS:1:a\\:b\\ c:0");
    }

    @Test
    void resourceStringsFromTheSpecTable() throws SanlockException {
        ResourceSpec r = ResourceSpec.parse("LS:R:p1:0");
        assertThat(r).isEqualTo(new ResourceSpec("LS", "R", List.of(new ResourceSpec.Disk("p1", 0)), 0, false, false));
        r = ResourceSpec.parse("LS:R:p1:0:7");
        assertThat(r.lver()).isEqualTo(7);
        assertThat(r.hasLver()).isTrue();
        assertThat(ResourceSpec.parse("LS:R:p1:0:SH").shared()).isTrue();
        r = ResourceSpec.parse("LS:R:p1:0:p2:512:9");
        assertThat(r.disks()).containsExactly(new ResourceSpec.Disk("p1", 0), new ResourceSpec.Disk("p2", 512));
        assertThat(r.lver()).isEqualTo(9);
        assertThat(ResourceSpec.parse("LS:R:a\\:b:0:3").disk().path()).isEqualTo("a:b");
        assertThat(ResourceSpec.parse("LS:R:a b:0").disk().path()).isEqualTo("a b");
        assertThat(ResourceSpec.parse("LS:R:a\\ b:0").disk().path()).isEqualTo("a b");
        assertThat(ResourceSpec.parse("L\\:S:R:p:0").lockspaceName()).isEqualTo("L:S");
        assertThat(ResourceSpec.parse("LS:R:p:0:0x10").lver()).isEqualTo(16);
        assertThat(ResourceSpec.parse("LS:R:p:0:010").lver()).isEqualTo(8);
        assertThat(ResourceSpec.parse("LS:R:p:0:SHX").shared()).isTrue();
        assertThat(ResourceSpec.parse("LS:R:p:1M").disk().offset()).isEqualTo(1);
        assertThat(ResourceSpec.parse("LS:R").disks()).isEmpty();
        assertThat(ResourceSpec.parse("LS:R:p:0:SH").toString()).isEqualTo("LS:R:p:0:SH");
        assertThat(ResourceSpec.parse("LS:R:a\\:b:0:3").toString()).isEqualTo("LS:R:a\\:b:0:3");
    }

    @Test
    void resourceCommandLineMSuffix() throws SanlockException {
        assertThat(ResourceSpec.parse("LS:R:leases/f:1M:5", ResourceSpec.Syntax.COMMAND_LINE)).isEqualTo(
                new ResourceSpec("LS", "R", List.of(new ResourceSpec.Disk("leases/f", 1048576)), 5, true, false));
        assertThat(ResourceSpec.parse("LS:R:f:3M", ResourceSpec.Syntax.COMMAND_LINE).disk().offset()).isEqualTo(3145728);
        assertThat(ResourceSpec.parse("LS:R:f:1M:SH", ResourceSpec.Syntax.COMMAND_LINE).shared()).isTrue();
    }

    @Test
    void resourceErrors() {
        assertCode("LS:R:p", -1);
        assertCode("LS", -6);
        assertCode("LS:R::0", -1);
        assertCode("LS:R:p:x", -1);
        assertCode("a:b:p1:0:p2:0:p3:0:p4:0:p5:0", -2);
        assertCode("LS:" + "r".repeat(49) + ":p:0", -1);
        assertCode("l".repeat(49) + ":R:p:0", -1);
        assertCode("LS:R:" + "p".repeat(1024) + ":0", -1);
    }

    @Test
    void namesOfExactly48BytesAreAccepted() throws SanlockException {
        String n48 = "x".repeat(48);
        assertThat(ResourceSpec.parse(n48 + ":" + n48 + ":p:0").name()).isEqualTo(n48);
    }

    @Test
    void rindexStrings() {
        assertThat(RindexSpec.parse("libvirt:rx.img:1048576")).isEqualTo(new RindexSpec("libvirt", "rx.img", 1048576));
        assertThat(RindexSpec.parse("LS:a\\:b:1M")).isEqualTo(new RindexSpec("LS", "a:b", 1048576));
        assertThat(RindexSpec.parse("LS")).isEqualTo(new RindexSpec("LS", "", 0));
        assertThat(RindexSpec.Entry.parse("vm1")).isEqualTo(new RindexSpec.Entry("vm1", 0));
        assertThat(RindexSpec.Entry.parse("vm1:3M")).isEqualTo(new RindexSpec.Entry("vm1", 3145728));
        assertThat(RindexSpec.Entry.parse(":4194304")).isEqualTo(new RindexSpec.Entry("", 4194304));
    }

    @Test
    void cNumberParsers() {
        assertThat(CNumbers.atoll("  12abc")).isEqualTo(12);
        assertThat(CNumbers.atoll("abc")).isZero();
        assertThat(CNumbers.atoll("-5")).isEqualTo(-5);
        assertThat(CNumbers.strtoull0("0x1f")).isEqualTo(31);
        assertThat(CNumbers.strtoull0("017")).isEqualTo(15);
        assertThat(CNumbers.strtoull0("09")).isZero();
        assertThat(CNumbers.strtoull0("42z")).isEqualTo(42);
    }

    /**
     * C's white space (space, \t, \n, \v, \f, \r) and a sign may precede a number, nothing
     * else may (observed with libsanlock's sanlock_str_to_res and the sanlock CLI; wire's
     * ResourceStringParityTest compares with the library input by input).
     */
    @Test
    void numbersAcceptCWhiteSpaceAndSignsOnly() throws SanlockException {
        for (String ws : List.of(" ", "\t", "\n", "\u000b", "\f", "\r")) {
            assertThat(ResourceSpec.parse("LS:R:p:" + ws + "5").disk().offset()).as("offset after %h", ws.charAt(0)).isEqualTo(5);
            assertThat(ResourceSpec.parse("LS:R:p:0:" + ws + "7").lver()).as("lver after %h", ws.charAt(0)).isEqualTo(7);
            assertThat(CNumbers.atoll(ws + "12")).isEqualTo(12);
        }
        assertCode("LS:R:p:\u001c5", -1);
        assertCode("LS:R:p:\u00a05", -1);
        assertCode("LS:R:p:- 5", -1);
        assertThat(ResourceSpec.parse("LS:R:p:0:\u001c7").lver()).isZero();
        assertThat(CNumbers.atoll("\u001c12")).isZero();
        assertThat(ResourceSpec.parse("LS:R:p:+5").disk().offset()).isEqualTo(5);
        assertThat(ResourceSpec.parse("LS:R:p:-1").disk().offset()).isEqualTo(-1L);
        assertThat(ResourceSpec.parse("LS:R:p:0x10").disk().offset()).isZero();
        assertThat(ResourceSpec.parse("LS:R:p:010").disk().offset()).isEqualTo(10);
    }

    @Test
    void numbersThatDoNotFitSaturateAsGlibcDoes() throws SanlockException {
        assertThat(ResourceSpec.parse("LS:R:p:99999999999999999999").disk().offset()).isEqualTo(-1L);
        assertThat(ResourceSpec.parse("LS:R:p:-99999999999999999999").disk().offset()).isEqualTo(-1L);
        assertThat(ResourceSpec.parse("LS:R:p:-18446744073709551615").disk().offset()).isEqualTo(1);
        assertThat(ResourceSpec.parse("LS:R:p:0:0x1ffffffffffffffff").lver()).isEqualTo(-1L);
        assertThat(CNumbers.atoll("99999999999999999999")).isEqualTo(Long.MAX_VALUE);
        assertThat(CNumbers.atoll("-99999999999999999999")).isEqualTo(Long.MIN_VALUE);
        assertThat(LockspaceSpec.parse("LS:99999999999999999999:p:0").hostId()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anEmptyVersionFieldIsRefused() {
        assertCode("LS:R:p:0:", -1);
        assertCode("LS:R:p:0:p2:1:", -1);
    }

    /**
     * The CLI's M rule looks at everything after the third colon, so an M in the version
     * field still makes the offset MiB: {@code sanlock direct init -r LS:R:f:1048576:M}
     * writes its lease at 1 TiB.
     */
    @Test
    void commandLineMRuleAlsoFiresForAnMInALaterField() throws SanlockException {
        ResourceSpec r = ResourceSpec.parse("LS:R:f:1048576:M", ResourceSpec.Syntax.COMMAND_LINE);
        assertThat(r.disk().offset()).isEqualTo(1048576L * 1048576L);
        assertThat(r.hasLver()).isTrue();
        assertThat(ResourceSpec.parse("LS:R:f:1048576:M").disk().offset()).isEqualTo(1048576);
    }

    private static void assertCode(String s, int code) {
        assertThatThrownBy(() -> ResourceSpec.parse(s)).isInstanceOfSatisfying(SanlockException.class,
                e -> assertThat(e.code()).as(s).isEqualTo(code));
    }
}
