package io.jsanlock.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.testkit.Seeds;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random records: encode → decode → encode gives identical bytes, and
 * any single flipped bit in a checksummed range is detected. The seed is
 * printed; rerun with -Djsanlock.seed=N to reproduce.
 */
class RandomRecordsTest {
    static final long SEED = Seeds.seed(RandomRecordsTest.class);
    static final int ROUNDS = 300;

    private static String name(Random r) {
        int len = r.nextInt(49);
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) (1 + r.nextInt(255)); // any non-NUL byte
        }
        return new String(c);
    }

    static Leader randomLeader(Random r) {
        return new Leader(r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextLong(), r.nextLong(), r.nextLong(),
                r.nextLong(), r.nextLong(), name(r), name(r), r.nextLong(), 0, r.nextInt(1 << 16), r.nextLong(), r.nextLong(),
                r.nextLong());
    }

    static Dblock randomDblock(Random r) {
        return new Dblock(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), 0, r.nextInt());
    }

    @Test
    void leadersAndDeltaSectorsRoundTrip() {
        Random r = new Random(SEED);
        for (int i = 0; i < ROUNDS; i++) {
            int ss = r.nextBoolean() ? 512 : 4096;
            Leader l = randomLeader(r);
            HostIdBitmap bm = new HostIdBitmap();
            for (int k = r.nextInt(20); k > 0; k--) {
                bm.set(1 + r.nextInt(HostIdBitmap.MAX_HOST_ID), true);
            }
            ByteBuffer a = ByteBuffer.allocate(ss);
            DeltaLeaseSector.encode(a, 0, ss, l, bm);
            Leader back = Leader.decode(a, 0);
            assertThat(back.withChecksum(0)).isEqualTo(l);
            assertThat(Leader.checksumValid(a, 0)).isTrue();
            assertThat(HostIdBitmap.decode(a, 0)).isEqualTo(bm);
            ByteBuffer b = ByteBuffer.allocate(ss);
            DeltaLeaseSector.encode(b, 0, ss, back, HostIdBitmap.decode(a, 0));
            assertThat(b.mismatch(a)).isEqualTo(-1);
            ByteBuffer c = ByteBuffer.allocate(ss);
            back.encodeKeepingChecksum(c, 0);
            HostIdBitmap.decode(a, 0).encode(c, 0);
            assertThat(c.mismatch(a)).isEqualTo(-1);
        }
    }

    @Test
    void dblocksModeBlocksRequestsAndRindexRoundTrip() {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < ROUNDS; i++) {
            ByteBuffer a = ByteBuffer.allocate(512);
            Dblock d = randomDblock(r);
            ModeBlock m = new ModeBlock(r.nextInt(), r.nextLong());
            d.encode(a, 0);
            m.encode(a, 0);
            Dblock d2 = Dblock.decode(a, 0);
            assertThat(d2.withFlags(d.flags())).isEqualTo(d2);
            assertThat(new Dblock(d2.mbal(), d2.bal(), d2.inp(), d2.inp2(), d2.inp3(), d2.lver(), 0, d2.flags())).isEqualTo(d);
            assertThat(ModeBlock.decode(a, 0)).isEqualTo(m);
            assertThat(Dblock.valid(a, 0)).isTrue();
            ByteBuffer b = ByteBuffer.allocate(512);
            d2.encode(b, 0);
            ModeBlock.decode(a, 0).encode(b, 0);
            assertThat(b.mismatch(a)).isEqualTo(-1);

            RequestRecord q = new RequestRecord(r.nextInt(), r.nextInt(), r.nextLong(), r.nextInt());
            ByteBuffer c = ByteBuffer.allocate(512);
            q.encode(c, 0);
            assertThat(RequestRecord.decode(c, 0)).isEqualTo(q);

            RindexHeader h = new RindexHeader(r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextLong(), name(r));
            RindexEntry e = new RindexEntry(r.nextLong(), r.nextInt(), name(r));
            ByteBuffer x = ByteBuffer.allocate(512);
            h.encode(x, 0);
            e.encode(x, 128);
            assertThat(RindexHeader.decode(x, 0)).isEqualTo(h);
            assertThat(RindexEntry.decode(x, 128)).isEqualTo(e);
        }
    }

    @Test
    void everySingleBitFlipInACheckedRangeIsDetected() {
        Random r = new Random(SEED + 2);
        for (int i = 0; i < 20; i++) {
            ByteBuffer a = ByteBuffer.allocate(512);
            randomLeader(r).encode(a, 0);
            // Bytes [0,168) are covered and [168,172) hold the checksum itself: any flip there must be seen.
            for (int bit = 0; bit < 172 * 8; bit++) {
                flip(a, bit);
                assertThat(Leader.checksumValid(a, 0)).as("leader bit %d", bit).isFalse();
                flip(a, bit);
            }
            assertThat(Leader.checksumValid(a, 0)).isTrue();

            ByteBuffer d = ByteBuffer.allocate(512);
            randomDblock(r).encode(d, 0);
            for (int bit = 0; bit < 52 * 8; bit++) {
                flip(d, bit);
                assertThat(Dblock.valid(d, 0)).as("dblock bit %d", bit).isFalse();
                flip(d, bit);
            }
            // The flags word lies outside the checksum (ondisk.md 2.5): RELEASED does not break it.
            d.put(52, (byte) (d.get(52) ^ 1));
            assertThat(Dblock.valid(d, 0)).isTrue();
        }
    }

    private static void flip(ByteBuffer b, int bit) {
        b.put(bit / 8, (byte) (b.get(bit / 8) ^ (1 << (bit % 8))));
    }
}
