package io.jsanlock.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectFileStorageTest {
    @TempDir
    Path dir;

    /**
     * A path is bytes: a name holding UTF-8 (d7 90) and an invalid-UTF-8 byte (ff), made by
     * bash (java.nio cannot name it under LANG=C), opens, sizes and takes I/O as given; the
     * same name re-encoded as UTF-8 text (c3 97 c2 90 c3 bf) names no file.
     */
    @Test
    void opensTheExactBytesOfANonUtf8PathWhateverTheLocale() throws Exception {
        String name = "\u00d7\u0090\u00ff";
        String path = dir + "/" + name;
        Process p = new ProcessBuilder("bash", "-c", "truncate -s 1M \"$1\"$'\\xd7\\x90\\xff'", "-", dir + "/")
                .inheritIO().start();
        assertThat(p.waitFor()).isZero();
        byte[] sector = new byte[512];
        new Random(11).nextBytes(sector);
        try (DirectFileStorage s = DirectFileStorage.open(path, DirectFileStorage.Access.READ_WRITE)) {
            assertThat(s.size()).isEqualTo(1 << 20);
            assertThat(s.path()).isEqualTo(path);
            s.write(1024, ByteBuffer.wrap(sector), 5000);
        }
        try (DirectFileStorage s = DirectFileStorage.open(path, DirectFileStorage.Access.READ_ONLY)) {
            ByteBuffer back = ByteBuffer.allocate(512);
            s.read(1024, back, 5000);
            assertThat(back.array()).isEqualTo(sector);
        }
        String utf8OfTheChars = io.jsanlock.base.ByteStrings.utf8(path);
        assertThatThrownBy(() -> DirectFileStorage.open(utf8OfTheChars, DirectFileStorage.Access.READ_ONLY))
                .isInstanceOf(SanlockException.class).extracting(e -> ((SanlockException) e).code()).isEqualTo(-2);
        assertThatThrownBy(() -> DirectFileStorage.open(dir + "/\u05d0", DirectFileStorage.Access.READ_ONLY))
                .isInstanceOf(SanlockException.class).extracting(e -> ((SanlockException) e).code()).isEqualTo(-22);
    }

    /** Both I/O paths: Linux AIO (true) and the worker-thread fallback (false). */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void writesAndReadsSingle512ByteSectorsWithODirect(boolean aio) throws Exception {
        Path f = dir.resolve("lease");
        Files.write(f, new byte[1 << 20]);
        byte[] sector = new byte[512];
        new Random(7).nextBytes(sector);
        try (DirectFileStorage s = DirectFileStorage.open(f, DirectFileStorage.Access.READ_WRITE)) {
            s.forceWorkerThreads(!aio);
            assertThat(s.usesAio(false)).as("reads through AIO").isEqualTo(aio);
            assertThat(s.isBlockDevice()).isFalse();
            assertThat(s.sectorSize()).isEqualTo(512);
            assertThat(s.size()).isEqualTo(1 << 20);
            s.write(512 * 7, ByteBuffer.wrap(sector), 5000);
            ByteBuffer back = ByteBuffer.allocate(512);
            assertThat(s.read(512 * 7, back, 5000)).isEqualTo(512);
            assertThat(back.array()).isEqualTo(sector);
            assertThat(back.position()).isEqualTo(512);
        }
        byte[] all = Files.readAllBytes(f);
        assertThat(java.util.Arrays.copyOfRange(all, 3584, 4096)).isEqualTo(sector);
        assertThat(all[3583]).isZero();
        assertThat(all[4096]).isZero();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shortReadAtEndOfFileAndGrowthOnWritePastEnd(boolean aio) throws Exception {
        Path f = dir.resolve("small");
        Files.write(f, new byte[1024]);
        try (DirectFileStorage s = DirectFileStorage.open(f, DirectFileStorage.Access.READ_WRITE)) {
            s.forceWorkerThreads(!aio);
            assertThat(s.usesAio(false)).as("reads through AIO").isEqualTo(aio);
            assertThat(s.read(4096, ByteBuffer.allocate(512), 0)).as("at the end").isZero();
            ByteBuffer b = ByteBuffer.allocate(4096);
            assertThat(s.read(0, b, 0)).isEqualTo(1024);
            assertThatThrownBy(() -> s.readFully(0, ByteBuffer.allocate(4096), 0))
                    .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-5));
            s.write(4096, ByteBuffer.allocate(512), 0);
            assertThat(s.size()).isEqualTo(4608);
        }
    }

    @Test
    void misalignedRequestsFailWithEinvalBeforeAnyIo() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[4096]);
        try (DirectFileStorage s = DirectFileStorage.open(f, DirectFileStorage.Access.READ_WRITE)) {
            assertThatThrownBy(() -> s.write(100, ByteBuffer.allocate(512), 0))
                    .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-22));
            assertThatThrownBy(() -> s.read(0, ByteBuffer.allocate(100), 0))
                    .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-22));
        }
        assertThat(Files.readAllBytes(f)).containsOnly(0);
    }

    @Test
    void missingPathIsEnoent() {
        assertThatThrownBy(() -> DirectFileStorage.open(dir.resolve("nope"), DirectFileStorage.Access.READ_ONLY))
                .isInstanceOfSatisfying(SanlockException.class, e -> {
                    assertThat(e.code()).isEqualTo(-2);
                    assertThat(e.getMessage()).contains("nope");
                });
    }

    @Test
    void ioAfterCloseFailsWithEbadf() throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[4096]);
        DirectFileStorage s = DirectFileStorage.open(f, DirectFileStorage.Access.READ_ONLY);
        s.close();
        assertThatThrownBy(() -> s.read(0, ByteBuffer.allocate(512), 0))
                .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-9));
    }

    @Test
    void hungSyscallTimesOutAndTheAbandonedReadNeverTouchesTheCallersBuffer() throws Exception {
        Path f = dir.resolve("hang");
        byte[] content = new byte[4096];
        java.util.Arrays.fill(content, (byte) 9);
        Files.write(f, content);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try (DirectFileStorage s = DirectFileStorage.open(f, DirectFileStorage.Access.READ_WRITE)) {
            s.beforeSyscall = (write, off, len) -> {
                release.await();
                done.countDown();
            };
            ByteBuffer dst = ByteBuffer.allocate(512);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.read(0, dst, 300))
                    .isInstanceOfSatisfying(SanlockException.class, e -> {
                        assertThat(e.code()).isEqualTo(-202);
                        assertThat(e.getMessage()).contains("read of 512 bytes at offset 0").contains("timed out after 300 ms");
                    });
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 5000L);
            // A timed-out write may still land later, from the copy it took: the caller's buffer is free at once.
            byte[] mine = new byte[512];
            ByteBuffer src = ByteBuffer.wrap(mine);
            assertThatThrownBy(() -> s.write(512, src, 300))
                    .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-202));
            java.util.Arrays.fill(mine, (byte) 5);
            release.countDown();
            assertThat(done.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            s.beforeSyscall = null;
            // Wait (bounded) for the abandoned write of zeros to reach the file.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Files.readAllBytes(f)[512] != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(Files.readAllBytes(f)[512]).as("abandoned write used its own copy (zeros), not the reused buffer").isZero();
            assertThat(dst.array()).containsOnly(0);
            assertThat(dst.position()).isZero();
            ByteBuffer again = ByteBuffer.allocate(512);
            assertThat(s.read(0, again, 5000)).isEqualTo(512);
            assertThat(again.array()).containsOnly(9);
        }
    }
}
