package io.jsanlock.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every vector decodes to the values ../shared/vectors/README.md lists, and re-encodes to the same bytes. */
class VectorsTest {
    static final int MIB = 1048576;

    static Stream<String> allVectors() throws java.io.IOException {
        try (Stream<java.nio.file.Path> s = java.nio.file.Files.list(Vectors.dir())) {
            java.util.List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".img.gz"))
                    .map(n -> n.substring(0, n.length() - ".img.gz".length())).sorted().toList();
            assertThat(names).hasSize(24);
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("allVectors")
    void reencodingDecodedRecordsReproducesTheImage(String name) {
        ByteBuffer img = Vectors.load(name);
        ByteBuffer rebuilt = Reencoder.rebuild(img);
        ByteBuffer expected = ByteBuffer.wrap(img.array().clone());
        Reencoder.clearRequestPadding(expected);
        int mismatch = expected.mismatch(rebuilt);
        assertThat(mismatch).as("first differing byte in " + name).isEqualTo(-1);
    }

    @ParameterizedTest
    @MethodSource("allVectors")
    void everyLeaderAndDblockChecksumIsValid(String name) throws Exception {
        ByteBuffer img = Vectors.load(name);
        int leaders = 0;
        for (int area = 0; area + 4096 <= img.capacity(); ) {
            int magic = Leader.magicAt(img, area);
            int step = MIB;
            if (magic == DiskFormat.DELTA_DISK_MAGIC) {
                Geometry g = Geometry.fromLeader(Leader.decode(img, area));
                step = g.alignSize();
                for (int h = 1; h <= g.maxHosts(); h++) {
                    assertThat(Leader.checksumValid(img, area + (int) g.deltaLeaseOffset(h))).isTrue();
                    leaders++;
                }
            } else if (magic == DiskFormat.PAXOS_DISK_MAGIC || magic == DiskFormat.PAXOS_DISK_CLEAR) {
                Leader l = Leader.decode(img, area);
                Geometry g = Geometry.fromLeader(l);
                step = g.alignSize();
                assertThat(Leader.checksumValid(img, area)).isTrue();
                leaders++;
                for (int h = 1; h <= l.numHosts() && area + g.dblockOffset(h) + 512 <= img.capacity(); h++) {
                    assertThat(Dblock.valid(img, (int) (area + g.dblockOffset(h)))).isTrue();
                }
            }
            area += step;
        }
        assertThat(leaders).isPositive();
    }

    private static void assertFreeDelta(Leader l, String space, int sector, int flags) {
        assertThat(l.magic()).isEqualTo(DiskFormat.DELTA_DISK_MAGIC);
        assertThat(l.version()).isEqualTo(DiskFormat.DELTA_DISK_VERSION);
        assertThat(l.flags()).isEqualTo(flags);
        assertThat(l.sectorSize()).isEqualTo(sector);
        assertThat(l.numHosts()).isZero();
        assertThat(l.maxHosts()).isEqualTo(1);
        assertThat(l.spaceName()).isEqualTo(space);
        assertThat(l.resourceName()).isEmpty();
        assertThat(l.ownerId()).isZero();
        assertThat(l.ownerGeneration()).isZero();
        assertThat(l.timestamp()).isZero();
        assertThat(l.ioTimeout()).isEqualTo(10);
    }

    private static boolean zero(ByteBuffer b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void lsInit512() {
        ByteBuffer b = Vectors.load("ls-init-512-1M");
        for (int s = 0; s < 2000; s++) {
            Leader l = Leader.decode(b, s * 512);
            assertFreeDelta(l, "LS512", 512, 0x10);
            assertThat(l.checksum()).isEqualTo(0xf16593e5);
            assertThat(HostIdBitmap.decode(b, s * 512).isEmpty()).isTrue();
        }
        assertThat(zero(b, 2000 * 512, 48 * 512)).isTrue();
    }

    @Test
    void lsInit4k8M() {
        ByteBuffer b = Vectors.load("ls-init-4k-8M");
        for (int s = 0; s < 2000; s++) {
            assertFreeDelta(Leader.decode(b, s * 4096), "LS4K", 4096, 0x80);
        }
        assertThat(zero(b, 2000 * 4096, 48 * 4096)).isTrue();
    }

    private static void assertFreshPaxos(Leader l, String space, String res, int sector, int flags, long numHosts, long maxHosts) {
        assertThat(l.magic()).isEqualTo(DiskFormat.PAXOS_DISK_MAGIC);
        assertThat(l.version()).isEqualTo(DiskFormat.PAXOS_DISK_VERSION);
        assertThat(l.flags()).isEqualTo(flags);
        assertThat(l.sectorSize()).isEqualTo(sector);
        assertThat(l.numHosts()).isEqualTo(numHosts);
        assertThat(l.maxHosts()).isEqualTo(maxHosts);
        assertThat(l.spaceName()).isEqualTo(space);
        assertThat(l.resourceName()).isEqualTo(res);
        assertThat(l.ownerId()).isZero();
        assertThat(l.ownerGeneration()).isZero();
        assertThat(l.lver()).isZero();
        assertThat(l.timestamp()).isZero();
        assertThat(l.ioTimeout()).isZero();
        assertThat(l.writeId()).isZero();
        assertThat(l.writeGeneration()).isZero();
        assertThat(l.writeTimestamp()).isZero();
    }

    @Test
    void resInitVectors() {
        ByteBuffer b = Vectors.load("res-init-512-1M");
        assertFreshPaxos(Leader.decode(b, 0), "LS512", "res512", 512, 0x10, 2000, 2000);
        assertThat(RequestRecord.decode(b, 512)).isEqualTo(RequestRecord.EMPTY);
        assertThat(zero(b, 1024, MIB - 1024)).isTrue();
        b = Vectors.load("res-init-4k-1M");
        assertFreshPaxos(Leader.decode(b, 0), "LS4K", "res4k", 4096, 0x10, 250, 250);
        assertThat(RequestRecord.decode(b, 4096)).isEqualTo(RequestRecord.EMPTY);
        b = Vectors.load("res-init-4k-8M");
        assertFreshPaxos(Leader.decode(b, 0), "LS4K", "res4k8m", 4096, 0x80, 2000, 2000);
        b = Vectors.load("res-init-512-1M-n10");
        assertFreshPaxos(Leader.decode(b, 0), "LS512", "res10", 512, 0x10, 10, 2000);
    }

    private static void assertDelta(ByteBuffer b, int off, long owner, long gen, String host, long ts) {
        Leader l = Leader.decode(b, off);
        assertThat(l.ownerId()).isEqualTo(owner);
        assertThat(l.ownerGeneration()).isEqualTo(gen);
        assertThat(l.resourceName()).isEqualTo(host);
        assertThat(l.timestamp()).isEqualTo(ts);
    }

    private static void assertPaxos(Leader l, long owner, long gen, long lver, long ts, long wid, long wgen, long wts) {
        assertThat(new long[] {l.ownerId(), l.ownerGeneration(), l.lver(), l.timestamp(), l.writeId(), l.writeGeneration(), l.writeTimestamp()})
                .containsExactly(owner, gen, lver, ts, wid, wgen, wts);
    }

    @Test
    void scenarioVectors() {
        ByteBuffer b = Vectors.load("scenario-00-init");
        assertFreshPaxos(Leader.decode(b, MIB), "libvirt", "test1", 512, 0x10, 2000, 2000);
        assertFreeDelta(Leader.decode(b, 0), "libvirt", 512, 0x10);

        b = Vectors.load("scenario-01-joined");
        assertDelta(b, 0, 1, 1, "host1", 1146);
        assertThat(new long[] {Leader.ownerIdAt(b, 512), Leader.ownerGenerationAt(b, 512), Leader.timestampAt(b, 512)})
                .containsExactly(2, 1, 1146);
        assertDelta(b, 512, 2, 1, "host2", 1146);

        b = Vectors.load("scenario-02-held-h1");
        assertPaxos(Leader.decode(b, MIB), 1, 1, 1, 1146, 1, 1, 1146);
        assertThat(Dblock.decode(b, MIB + 1024)).isEqualTo(new Dblock(1, 1, 1, 1, 1146, 1, Dblock.decode(b, MIB + 1024).checksum(), 0));

        b = Vectors.load("scenario-03-released-h1");
        assertPaxos(Leader.decode(b, MIB), 1, 1, 1, 0, 1, 1, 1152);
        assertThat(Dblock.decode(b, MIB + 1024).flags()).isEqualTo(1);
        assertThat(Dblock.decode(b, MIB + 1024).checksum()).isEqualTo(Dblock.decode(Vectors.load("scenario-02-held-h1"), MIB + 1024).checksum());

        b = Vectors.load("scenario-04-held-h2");
        assertPaxos(Leader.decode(b, MIB), 2, 1, 2, 1152, 2, 1, 1152);
        Dblock d2 = Dblock.decode(b, MIB + 1536);
        assertThat(new long[] {d2.mbal(), d2.bal(), d2.inp(), d2.inp2(), d2.inp3(), d2.lver(), d2.flags()})
                .containsExactly(2002, 2002, 2, 1, 1152, 2, 0);
        assertThat(Dblock.decode(b, MIB + 1024).released()).isTrue();

        b = Vectors.load("scenario-05-released-h2");
        assertPaxos(Leader.decode(b, MIB), 2, 1, 2, 0, 2, 1, 1158);
        assertThat(Dblock.decode(b, MIB + 1536).flags()).isEqualTo(1);

        b = Vectors.load("scenario-06-request-by-h2");
        assertPaxos(Leader.decode(b, MIB), 1, 1, 3, 1174, 1, 1, 1174);
        assertThat(RequestRecord.decode(b, MIB + 512)).isEqualTo(RequestRecord.of(4, 2));
        Dblock d1 = Dblock.decode(b, MIB + 1024);
        assertThat(new long[] {d1.mbal(), d1.bal(), d1.inp(), d1.inp2(), d1.inp3(), d1.lver(), d1.flags()})
                .containsExactly(4001, 4001, 1, 1, 1174, 3, 0);
        assertDelta(b, 0, 1, 1, "host1", 1166);
        assertThat(HostIdBitmap.decode(b, 0).isEmpty()).isTrue();

        b = Vectors.load("scenario-07-bitmaps");
        Leader h1 = Leader.decode(b, 0);
        assertThat(h1.timestamp()).isEqualTo(1187);
        assertThat(new long[] {h1.writeId(), h1.writeGeneration(), h1.writeTimestamp()}).containsExactly(1, 7, 99);
        assertThat(HostIdBitmap.decode(b, 0).hostIds()).containsExactly(2);
        assertThat(b.get(256)).isEqualTo((byte) 0x02);
        assertThat(HostIdBitmap.decode(b, 512).hostIds()).containsExactly(1);
        assertThat(HostIdBitmap.isSet(b, 512, 1)).isTrue();

        b = Vectors.load("scenario-08-after-request");
        assertPaxos(Leader.decode(b, MIB), 1, 1, 3, 0, 1, 1, 1208);
        assertThat(RequestRecord.decode(b, MIB + 512)).isEqualTo(RequestRecord.of(4, 2));
        assertThat(Dblock.decode(b, MIB + 1024).released()).isTrue();

        b = Vectors.load("scenario-09-h1-left");
        assertDelta(b, 0, 1, 1, "host1", 0);
        assertThat(HostIdBitmap.decode(b, 0).isEmpty()).isTrue();
        assertThat(Leader.decode(b, 0).writeGeneration()).isEqualTo(7);
        assertDelta(b, 512, 2, 1, "host2", 1207);

        b = Vectors.load("scenario-10-h1-rejoined");
        assertDelta(b, 0, 1, 2, "host1", 1232);
        assertThat(Leader.decode(b, 0).writeId()).isZero();
        assertDelta(b, 512, 2, 1, "host2", 1228);
        assertThat(HostIdBitmap.decode(b, 512).hostIds()).containsExactly(1);
    }

    @Test
    void otherDaemonVectors() {
        ByteBuffer b = Vectors.load("disk4k-joined-held-h2");
        assertDelta(b, 0, 1, 1, "host1", 1146);
        assertDelta(b, 4096, 2, 1, "host2", 1146);
        Leader l = Leader.decode(b, MIB);
        assertThat(l.sectorSize()).isEqualTo(4096);
        assertThat(l.numHosts()).isEqualTo(250);
        assertThat(l.resourceName()).isEqualTo("r4k");
        assertPaxos(l, 2, 1, 1, 1158, 2, 1, 1158);
        Dblock d = Dblock.decode(b, 1060864);
        assertThat(new long[] {d.mbal(), d.bal(), d.inp(), d.inp2(), d.inp3(), d.lver()}).containsExactly(2, 2, 2, 1, 1158, 1);

        b = Vectors.load("sh-held-h1-h2");
        l = Leader.decode(b, 0);
        assertPaxos(l, 2, 1, 2, 0, 2, 1, 1164);
        assertThat(l.flags()).isEqualTo(0x10);
        assertThat(ModeBlock.decode(b, 1024)).isEqualTo(new ModeBlock(1, 1));
        assertThat(ModeBlock.decode(b, 1536)).isEqualTo(new ModeBlock(1, 1));
        assertThat(ModeBlock.decode(b, 1024).shared()).isTrue();
        assertThat(Dblock.decode(b, 1536).mbal()).isEqualTo(2002);

        b = Vectors.load("sh-released");
        assertThat(ModeBlock.decode(b, 1024)).isEqualTo(ModeBlock.NONE);
        assertThat(ModeBlock.decode(b, 1536)).isEqualTo(ModeBlock.NONE);
        assertThat(Dblock.decode(b, 1024).released()).isTrue();

        b = Vectors.load("lvb-released-h1");
        assertPaxos(Leader.decode(b, 0), 1, 1, 1, 0, 1, 1, 1174);
        byte[] lvb = new byte[9];
        b.get(1025024, lvb);
        assertThat(new String(lvb, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello-lvb");
    }

    @Test
    void rindexVectors() throws Exception {
        ByteBuffer b = Vectors.load("rindex-0-formatted");
        RindexHeader h = RindexHeader.decode(b, MIB);
        assertThat(h).isEqualTo(new RindexHeader(0x01042018, 0x00010002, 0x1, 512, 4096, MIB, "libvirt"));
        h.check("libvirt", MIB);
        assertThat(h.geometry()).isEqualTo(Geometry.S512_A1M);
        assertFreshPaxos(Leader.decode(b, 2 * MIB), "libvirt", "rindex_lease", 512, 0x10, 2000, 2000);
        assertThat(b.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(2 * MIB + 512 + 20)).isEqualTo(0x5588);
        assertThat(RequestRecord.decode(b, 2 * MIB + 512)).isEqualTo(RequestRecord.EMPTY);

        b = Vectors.load("rindex-1-created-vm1-vm2");
        assertThat(RindexEntry.decode(b, 1049088)).isEqualTo(new RindexEntry(3145728, 0, "vm1"));
        assertThat(RindexEntry.decode(b, 1049152)).isEqualTo(new RindexEntry(4194304, 0, "vm2"));
        assertThat(RindexEntry.entryOffset(Geometry.S512_A1M, MIB, 1)).isEqualTo(1049152);
        assertPaxos(Leader.decode(b, 2 * MIB), 2, 1, 2, 0, 2, 1, 1174);
        assertThat(Dblock.decode(b, 2 * MIB + 1024).flags()).isZero();
        assertFreshPaxos(Leader.decode(b, 3 * MIB), "libvirt", "vm1", 512, 0x10, 2000, 2000);
        assertFreshPaxos(Leader.decode(b, 4 * MIB), "libvirt", "vm2", 512, 0x10, 2000, 2000);

        ByteBuffer b2 = Vectors.load("rindex-2-deleted-vm1");
        b = b2;
        assertThat(RindexEntry.decode(b, 1049088).isFree()).isTrue();
        assertThat(RindexEntry.decode(b, 1049152).name()).isEqualTo("vm2");
        assertPaxos(Leader.decode(b, 2 * MIB), 1, 1, 3, 0, 1, 1, Leader.decode(b, 2 * MIB).writeTimestamp());
        assertThat(Dblock.decode(b, 2 * MIB + 1024).mbal()).isEqualTo(4001);
        Leader clear = Leader.decode(b, 3 * MIB);
        assertThat(clear.magic()).isEqualTo(DiskFormat.PAXOS_DISK_CLEAR);
        assertThat(clear.resourceName()).isEqualTo("vm1");
        assertThat(clear.timestamp()).isZero();
        assertThat(clear.writeTimestamp()).isEqualTo(1174);
        assertThat(Leader.checksumValid(b, 3 * MIB)).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Leader.decodePaxosChecked(b2, 3 * MIB, "libvirt", "vm1", 1))
                .isInstanceOfSatisfying(io.jsanlock.base.SanlockException.class, e -> assertThat(e.code()).isEqualTo(-223));
    }
}
