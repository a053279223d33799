package io.jsanlock.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class CrcTest {
    /** ondisk.md 3.2: sanlock = CRC32C ^ M(len); checks the table implementation against the JDK's. */
    @Test
    void relationToJdkCrc32cHoldsForLeaderAndDblockLengths() {
        java.util.Random r = new java.util.Random(42);
        System.out.println("CrcTest seed 42");
        for (int i = 0; i < 200; i++) {
            for (int[] lm : new int[][] {{168, 0x251318C1}, {48, 0xE3D6E2FB}}) {
                byte[] d = new byte[lm[0]];
                r.nextBytes(d);
                CRC32C jdk = new CRC32C();
                jdk.update(d);
                assertThat(Crc32c.checksum(d, 0, d.length)).isEqualTo((int) jdk.getValue() ^ lm[1]);
                assertThat(Crc32c.checksum(ByteBuffer.wrap(d), 0, d.length)).isEqualTo((int) jdk.getValue() ^ lm[1]);
            }
        }
    }

    /** Values from ondisk.md 3.3, read from real sanlock-written vectors. */
    @Test
    void storedChecksumsOfReferenceRecordsMatch() {
        ByteBuffer s4 = Vectors.load("scenario-04-held-h2");
        assertThat(Leader.computeChecksum(s4, 0)).isEqualTo(0xe84b1351);
        assertThat(Leader.computeChecksum(s4, 1048576)).isEqualTo(0x6fa602f1);
        assertThat(Dblock.computeChecksum(s4, 1048576 + 3 * 512)).isEqualTo(0xb664d3f4);
        ByteBuffer d4k = Vectors.load("disk4k-joined-held-h2");
        assertThat(Dblock.computeChecksum(d4k, 1048576 + 3 * 4096)).isEqualTo(0xc84ca639);
        ByteBuffer ls = Vectors.load("ls-init-512-1M");
        assertThat(Leader.computeChecksum(ls, 0)).isEqualTo(0xf16593e5);
        assertThat(Leader.computeChecksum(ls, 1999 * 512)).isEqualTo(0xf16593e5);
        ByteBuffer rx = Vectors.load("rindex-2-deleted-vm1");
        assertThat(Leader.magicAt(rx, 3145728)).isEqualTo(DiskFormat.PAXOS_DISK_CLEAR);
        assertThat(Leader.computeChecksum(rx, 3145728)).isEqualTo(0x279fa0a2);
    }

    /** No final XOR: CRC over a record plus its stored checksum is 0 (ondisk.md 3.1). */
    @Test
    void crcOverRecordAndChecksumIsZero() {
        ByteBuffer s4 = Vectors.load("scenario-04-held-h2");
        assertThat(Crc32c.checksum(s4, 0, 172)).isZero();
        assertThat(Crc32c.checksum(s4, 1048576 + 3 * 512, 52)).isZero();
    }
}
