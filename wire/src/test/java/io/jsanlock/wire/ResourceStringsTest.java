package io.jsanlock.wire;

import io.jsanlock.format.ResourceSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The parse table of wire.md 7.3 and the state strings of section 9. */
class ResourceStringsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "LS:R:p1:0            | LS | R | 1 | p1  | 0   | 0 | 0",
            "LS:R:p1:0:7          | LS | R | 1 | p1  | 0   | 7 | 1",
            "LS:R:p1:0:SH         | LS | R | 1 | p1  | 0   | 0 | 4",
            "LS:R:p1:0:p2:512:9   | LS | R | 2 | p1  | 0   | 9 | 1",
            "LS:R:a\\:b:0:3       | LS | R | 1 | a:b | 0   | 3 | 1",
            "LS:R:a b:0           | LS | R | 1 | a b | 0   | 0 | 0",
            "LS:R:a\\ b:0         | LS | R | 1 | a b | 0   | 0 | 0",
            "L\\:S:R:p:0          | L:S| R | 1 | p   | 0   | 0 | 0",
            "LS:R:p:1M            | LS | R | 1 | p   | 1   | 0 | 0",
            "LS:R:p:0:0x10        | LS | R | 1 | p   | 0   | 16| 1",
            "LS:R:p:0:010         | LS | R | 1 | p   | 0   | 8 | 1",
            "LS:R:p:0:SHX         | LS | R | 1 | p   | 0   | 0 | 4",
    })
    void parsesAsLibsanlock(String in, String ls, String name, int disks, String path, long off, long lver, int flags) throws Exception {
        Resource r = ResourceStrings.parseResource(in.strip());
        assertEquals(ls.strip(), r.lockspace());
        assertEquals(name.strip(), r.name());
        assertEquals(disks, r.numDisks());
        assertEquals(path.strip(), r.disks().get(0).path());
        assertEquals(off, r.disks().get(0).offset());
        assertEquals(lver, r.lver());
        assertEquals(flags, r.flags());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "LS:R:p     | -1",
            "LS         | -6",
            "LS:R::0    | -1",
            "LS:R:a:1:b:2:c:3:d:4:e:5 | -2",
            "LS:R:p:x   | -1",
    })
    void rejectsAsLibsanlock(String in, int code) {
        assertEquals(code, assertThrows(WireException.class, () -> ResourceStrings.parseResource(in.strip())).code());
    }

    @Test
    void zeroDisksParse() throws Exception {
        assertEquals(0, ResourceStrings.parseResource("LS:R").numDisks());
    }

    @Test
    void stateStringsAsInquireSendsThem() throws Exception {
        Resource r2 = Resource.of("LS", "R2", 0, 1, List.of(new Disk("leases/f", 2097152)));
        Resource r3 = Resource.of("LS", "R3", ResourceFlags.SHARED, 0, List.of(new Disk("leases/f", 3145728)));
        assertEquals("LS:R2:leases/f:2097152:1 LS:R3:leases/f:3145728:SH", ResourceStrings.toState(List.of(r2, r3)));
        Resource rp = Resource.of("LS", "RP", 0, 1, List.of(new Disk("leases/p:q", 0)));
        assertEquals("LS:RP:leases/p\\:q:0:1", ResourceStrings.toState(rp));
        List<Resource> back = ResourceStrings.parseState("LS:R2:leases/f:2097152:1 LS:R3:leases/f:3145728:SH");
        assertThat(back).hasSize(2);
        assertEquals(1, back.get(0).lver());
        assertThat(back.get(1).shared()).isTrue();
        assertEquals("leases/p:q", ResourceStrings.parseState("LS:RP:leases/p\\:q:0:1").get(0).disks().get(0).path());
        // an unescaped space inside a path (before the third colon) stays in the path
        assertEquals("a b", ResourceStrings.parseState("LS:R:a b:0:1").get(0).disks().get(0).path());
        assertEquals(-6, assertThrows(WireException.class, () -> ResourceStrings.parseState("")).code());
        // round trip
        String s = "LS:R:x\\ y\\:z:512:4 LS:S:p:0:SH";
        assertEquals(s, ResourceStrings.toState(ResourceStrings.parseState(s)));
    }

    @Test
    void cliMegabyteSuffixAndLockspaceArgs() throws Exception {
        assertEquals("LS:R:leases/f:1048576:5", ResourceSpec.parse("LS:R:leases/f:1M:5", ResourceSpec.Syntax.COMMAND_LINE).toString());
        assertEquals("LS:R:f:0", ResourceSpec.parse("LS:R:f:0", ResourceSpec.Syntax.COMMAND_LINE).toString());
        Lockspace l = ResourceStrings.parseLockspace("LS:1:leases/f:0M");
        assertEquals("LS", l.name());
        assertEquals(1, l.hostId());
        assertEquals("leases/f", l.disk().path());
        assertEquals(0, l.disk().offset());
        assertEquals(2 * 1048576L, ResourceStrings.parseLockspace("LS:2:ab:2M").disk().offset());
        // the M scan counts raw colons, so after an escaped colon in the path it reads "b:2" -> 0 (wire.md 7.3 quirk)
        assertEquals(0, ResourceStrings.parseLockspace("LS:2:a\\:b:2M").disk().offset());
        assertEquals("a:b", ResourceStrings.parseLockspace("LS:2:a\\:b:2M").disk().path());
        Lockspace only = ResourceStrings.parseLockspace("LS");
        assertEquals("LS", only.name());
        assertEquals(0, only.hostId());
        assertEquals("", only.disk().path());
    }
}
