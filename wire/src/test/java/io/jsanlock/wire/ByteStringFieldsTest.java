package io.jsanlock.wire;

import io.jsanlock.base.ByteStrings;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Names and paths cross the wire as the bytes they are, and text that was never encoded is refused. */
class ByteStringFieldsTest {
    private static final byte[] PATH = {'/', 't', 'm', 'p', '/', (byte) 0xd7, (byte) 0x90, (byte) 0xff};
    private static final byte[] NAME = {'l', (byte) 0xd7, (byte) 0x90, (byte) 0xe9};

    @Test
    void nonUtf8PathAndNameBytesRoundTripThroughTheLockspaceStruct() throws Exception {
        Lockspace ls = new Lockspace(ByteStrings.of(NAME), 1, 0, Disk.of(PATH, 512));
        ByteBuffer b = ByteBuffer.allocate(Lockspace.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ls.encode(b);
        byte[] raw = b.array();
        assertThat(Arrays.copyOfRange(raw, 0, NAME.length + 1)).isEqualTo(Arrays.copyOf(NAME, NAME.length + 1));
        int pathAt = Limits.NAME_LEN + 16;
        assertThat(Arrays.copyOfRange(raw, pathAt, pathAt + PATH.length + 1)).isEqualTo(Arrays.copyOf(PATH, PATH.length + 1));
        Lockspace back = Lockspace.decode(ByteBuffer.wrap(raw));
        assertThat(ByteStrings.toBytes(back.name())).isEqualTo(NAME);
        assertThat(ByteStrings.toBytes(back.disk().path())).isEqualTo(PATH);
    }

    @Test
    void textWithACharAboveLatin1IsRefusedWithEinvalNotSentAsQuestionMarks() {
        Resource r = Resource.of("LS", "R", "/tmp/\u05d0", 0);
        ByteBuffer b = ByteBuffer.allocate(r.encodedSize(true));
        assertThatThrownBy(() -> r.encode(b, true)).isInstanceOf(WireException.class)
                .extracting(e -> ((WireException) e).code()).isEqualTo(-22);
        Resource encoded = Resource.of("LS", "R", ByteStrings.utf8("/tmp/\u05d0"), 0);
        ByteBuffer ok = ByteBuffer.allocate(encoded.encodedSize(true));
        assertThat(org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> {
            encoded.encode(ok, true);
            return ok.array()[Resource.SIZE + 5];
        })).isEqualTo((byte) 0xd7);
    }
}
