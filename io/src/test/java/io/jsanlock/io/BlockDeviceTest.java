package io.jsanlock.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** O_DIRECT I/O on real block devices (loop devices, detached in teardown). */
class BlockDeviceTest {
    @TempDir
    Path dir;
    LoopDevice loop;

    @AfterEach
    void detach() throws Exception {
        if (loop != null) {
            loop.close();
        }
    }

    @Test
    void sector512DeviceSizeSectorSizeAndDirectSectorIo() throws Exception {
        Path f = dir.resolve("backing");
        Files.write(f, new byte[8 << 20]);
        loop = LoopDevice.attach(f, 512);
        byte[] data = new byte[512];
        new Random(11).nextBytes(data);
        try (DirectFileStorage s = DirectFileStorage.open(Path.of(loop.device), DirectFileStorage.Access.READ_WRITE)) {
            assertThat(s.isBlockDevice()).isTrue();
            assertThat(s.isDirect()).isTrue();
            assertThat(s.sectorSize()).isEqualTo(512);
            assertThat(s.size()).isEqualTo(8 << 20);
            s.write(3 * 512, ByteBuffer.wrap(data), 5000);
            ByteBuffer back = ByteBuffer.allocate(1024);
            assertThat(s.read(3 * 512, back, 5000)).isEqualTo(1024);
            assertThat(java.util.Arrays.copyOf(back.array(), 512)).isEqualTo(data);
            // A block device does not grow: writing past its end fails and nothing is half-written.
            assertThatThrownBy(() -> s.write(8 << 20, ByteBuffer.allocate(512), 5000)).isInstanceOf(SanlockException.class);
            assertThat(s.read(8 << 20, ByteBuffer.allocate(512), 5000)).isZero();
        }
        // O_DIRECT + O_SYNC: the backing file sees the write at once, bypassing the loop device's cache.
        byte[] backing = Files.readAllBytes(f);
        assertThat(java.util.Arrays.copyOfRange(backing, 1536, 2048)).isEqualTo(data);
    }

    @Test
    void sector4096DeviceRefusesSubSectorIo() throws Exception {
        Path f = dir.resolve("backing4k");
        Files.write(f, new byte[8 << 20]);
        loop = LoopDevice.attach(f, 4096);
        try (DirectFileStorage s = DirectFileStorage.open(Path.of(loop.device), DirectFileStorage.Access.READ_WRITE)) {
            assertThat(s.sectorSize()).isEqualTo(4096);
            assertThatThrownBy(() -> s.write(512, ByteBuffer.allocate(512), 5000))
                    .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-22));
            byte[] data = new byte[4096];
            new Random(12).nextBytes(data);
            s.write(4096, ByteBuffer.wrap(data), 5000);
            ByteBuffer back = ByteBuffer.allocate(4096);
            s.readFully(4096, back, 5000);
            assertThat(back.array()).isEqualTo(data);
        }
    }
}
