package io.jsanlock.wire;

import io.jsanlock.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Lying counts, truncated bodies and random bytes give a WireException with a code and
 * a message naming the problem (or a plain end-of-stream), never another exception and
 * never an allocation sized by the attacker.
 */
class HostileInputTest {

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void truncatedHeader() {
        WireException e = assertThrows(WireException.class, () -> Header.decode(le(31)));
        assertEquals(-107, e.code());
        assertThat(e.getMessage()).contains("header");
    }

    @Test
    void resourceWithHugeDiskCount() {
        ByteBuffer b = le(128);
        b.putInt(124, 0xFFFFFFFF);
        WireException e = assertThrows(WireException.class, () -> Resource.decodeWithDisks(b));
        assertEquals(-34, e.code());
        assertThat(e.getMessage()).contains("num_disks 4294967295");
        ByteBuffer z = le(128);
        assertEquals(-34, assertThrows(WireException.class, () -> Resource.decodeWithDisks(z)).code());
    }

    @Test
    void acquireWithLyingCount() {
        Header h = Header.request(Command.ACQUIRE, 0, 0, 100000, -1);
        assertEquals(-7, assertThrows(WireException.class, () -> Requests.readAcquire(h, WireIn.of(le(0)))).code());
        Header neg = Header.request(Command.ACQUIRE, 0, 0, -5, -1);
        assertEquals(-7, assertThrows(WireException.class, () -> Requests.readAcquire(neg, WireIn.of(le(0)))).code());
    }

    @Test
    void acquireBodyCutShort() throws Exception {
        ByteBuffer m = Requests.acquire(-1, 0, List.of(Resource.of("LS", "R", "f", 0)), null);
        ByteBuffer cut = m.slice(0, m.remaining() - 10);
        WireIn in = WireIn.of(cut);
        Header h = Header.decode(in.read(32, "h"));
        assertThrows(EOFException.class, () -> Requests.readAcquire(h, in));
        ByteBuffer onlyHeader = m.slice(0, 32);
        WireIn in2 = WireIn.of(onlyHeader);
        in2.read(32, "h");
        assertEquals(-107, assertThrows(WireException.class, () -> Requests.readAcquire(h, in2)).code());
    }

    @Test
    void setLvbWithLyingLength() {
        Header big = Header.request(Command.SET_LVB, 0, 0, 0, 0).withLength(0x7FFFFFFF);
        assertEquals(-7, assertThrows(WireException.class, () -> Requests.readSetLvb(big, WireIn.of(le(0)))).code());
        Header small = Header.request(Command.SET_LVB, 0, 0, 0, 0).withLength(40);
        assertEquals(-22, assertThrows(WireException.class, () -> Requests.readSetLvb(small, WireIn.of(le(0)))).code());
        Header neg = Header.request(Command.SET_LVB, 0, 0, 0, 0).withLength(-1);
        assertEquals(-7, assertThrows(WireException.class, () -> Requests.readSetLvb(neg, WireIn.of(le(0)))).code());
    }

    @Test
    void statusRecordWithHugeText() {
        ByteBuffer b = le(80);
        b.putInt(0, 1);
        b.putInt(0x48, 0x7FFFFFFF);
        WireException e = assertThrows(WireException.class, () -> StateRecord.read(WireIn.of(b)));
        assertThat(e.getMessage()).contains("str_len");
        ByteBuffer t = le(80);
        t.putInt(0, 77);
        assertThat(assertThrows(WireException.class, () -> StateRecord.read(WireIn.of(t))).getMessage()).contains("type 77");
    }

    @Test
    void repliesWithLyingLengths() {
        Header lies = new Header(Header.MAGIC, 1, 22, 0, 32 + 1104 * 100000, 0, 0, 100000);
        assertThrows(WireException.class, () -> Replies.readLockspaces(lies, WireIn.of(le(0))));
        Header notMultiple = new Header(Header.MAGIC, 1, 22, 0, 32 + 1000, 0, 0, 1);
        assertThrows(WireException.class, () -> Replies.readLockspaces(notMultiple, WireIn.of(le(0))));
        Header hosts = new Header(Header.MAGIC, 1, 23, 0, 32 + 32 * 3, 0, 0, 0x10000000);
        assertThrows(WireException.class, () -> Replies.readGetHosts(hosts, WireIn.of(le(0))));
        Header inq = new Header(Header.MAGIC, 1, 9, 0, 0x7FFFFFF0, 0, 0, 1);
        assertThrows(WireException.class, () -> Replies.readInquire(inq, WireIn.of(le(0))));
        Header shortLen = new Header(Header.MAGIC, 1, 9, 0, 5, 0, 0, 1);
        assertThrows(WireException.class, () -> Replies.readInquire(shortLen, WireIn.of(le(0))));
        Header log = new Header(Header.MAGIC, 1, 6, 0, 32, 0, 0x7FFFFFFF, 0);
        assertThrows(WireException.class, () -> Replies.readLogDump(log, WireIn.of(le(0))));
        Header lvb = new Header(Header.MAGIC, 1, 26, 0, 32 + 100000, 0, 0, 0);
        assertThrows(WireException.class, () -> Replies.readLvb(lvb, WireIn.of(le(0))));
    }

    @Test
    void encodersRefuseWhatDoesNotFit() {
        assertEquals(-36, assertThrows(WireException.class,
                () -> Requests.addLockspace(Lockspace.of("x".repeat(49), 1, "f", 0), 0, 0)).code());
        // a 48-byte name fits exactly (no NUL); a 1024-byte path does not (needs its NUL)
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> Requests.addLockspace(Lockspace.of("x".repeat(48), 1, "f", 0), 0, 0));
        assertEquals(-36, assertThrows(WireException.class,
                () -> Requests.addLockspace(Lockspace.of("LS", 1, "p".repeat(1024), 0), 0, 0)).code());
        assertEquals(-22, assertThrows(WireException.class,
                () -> Requests.addLockspace(Lockspace.of("L\0S", 1, "f", 0), 0, 0)).code());
        assertEquals(-34, assertThrows(WireException.class,
                () -> Requests.acquire(-1, 0, List.of(Resource.of("LS", "R", 0, 0, List.of())), null)).code());
    }

    /**
     * Seeded random and mutated request bodies through every daemon-side decoder: only
     * WireException or end-of-stream may come out.
     */
    @Test
    void randomAndMutatedBodies() throws Exception {
        long seed = Seeds.seed(HostileInputTest.class);
        Random rnd = new Random(seed);
        ByteBuffer valid = Requests.acquire(-1, 0, List.of(Resource.of("LS", "R", "f", 0), Resource.of("LS", "R2", "g", 512)),
                Options.owner("vm"));
        byte[] base = Hex.toArray(valid);
        for (int i = 0; i < 20000; i++) {
            byte[] m;
            if (rnd.nextBoolean()) {
                m = base.clone();
                for (int k = rnd.nextInt(8); k >= 0; k--) {
                    m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                }
                if (rnd.nextInt(4) == 0) {
                    m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length + 1));
                }
            } else {
                m = new byte[rnd.nextInt(3000)];
                rnd.nextBytes(m);
            }
            ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            WireIn in = WireIn.of(b);
            try {
                ByteBuffer hb = in.readOrEof(32);
                if (hb == null) {
                    continue;
                }
                Header h = Header.decode(hb);
                switch (rnd.nextInt(8)) {
                    case 0 -> Requests.readAcquire(h, in);
                    case 1 -> Requests.readRelease(h, in);
                    case 2 -> Requests.readSetLvb(h, in);
                    case 3 -> Requests.readResourceWithDisks(in);
                    case 4 -> Requests.readLockspaceEvent(in);
                    case 5 -> Requests.readKillpath(in);
                    case 6 -> StateRecord.read(in);
                    default -> {
                        Requests.readRindex(in);
                        Requests.readRentry(in);
                    }
                }
            } catch (WireException | EOFException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (IOException other) {
                throw new AssertionError("seed " + seed + " iteration " + i + ": unexpected " + other, other);
            }
        }
    }
}
