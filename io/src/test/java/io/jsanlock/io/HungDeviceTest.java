package io.jsanlock.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockException;
import io.jsanlock.io.aio.AioContexts;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Storage that hangs in the kernel (a loop device throttled to a standstill, {@link
 * ThrottledLoopDevice}), on both I/O paths of {@link DirectFileStorage}: Linux AIO submitted
 * and awaited by the caller, and the worker-thread fallback. The caller gives up after its
 * timeout; the abandoned I/O is reaped when the device resumes; its buffer is never handed
 * to anyone else meanwhile, so a late read cannot corrupt another I/O's data and a late
 * write writes its own bytes.
 */
class HungDeviceTest {
    enum Path_ {
        AIO, WORKER_THREADS
    }

    @TempDir
    Path dir;
    ThrottledLoopDevice hung;

    @AfterEach
    void restore() throws Exception {
        if (hung != null) {
            hung.close();
        }
    }

    private DirectFileStorage open(String path, Path_ ioPath) throws SanlockException {
        DirectFileStorage s = DirectFileStorage.open(path, DirectFileStorage.Access.READ_WRITE);
        s.forceWorkerThreads(ioPath == Path_.WORKER_THREADS);
        if (ioPath == Path_.AIO) {
            assertThat(DirectFileStorage.aioUnavailableReason()).as("Linux AIO on this machine").isNull();
        }
        assertThat(s.usesAio(false)).as("reads through AIO").isEqualTo(ioPath == Path_.AIO);
        if (s.isBlockDevice()) {
            assertThat(s.usesAio(true)).as("writes through AIO").isEqualTo(ioPath == Path_.AIO);
        }
        return s;
    }

    private Path filled(String name, int size, byte value) throws Exception {
        byte[] b = new byte[size];
        Arrays.fill(b, value);
        return Files.write(dir.resolve(name), b);
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            AioContexts.reapIdleNow();
            Thread.sleep(5);
        }
    }

    @ParameterizedTest
    @EnumSource(Path_.class)
    void aHungReadIsAbandonedAfterTheTimeoutAndReapedWhenTheDeviceResumesWithoutTouchingReusedBuffers(Path_ ioPath) throws Exception {
        hung = ThrottledLoopDevice.attach(filled("backing", 8 << 20, (byte) 0xAB));
        Path other = filled("other", 1 << 20, (byte) 0x11);
        long reapedBefore = AioContexts.reaped();
        DirectFileStorage dev = open(hung.device(), ioPath);
        DirectFileStorage healthy = open(other.toString(), ioPath);
        try {
            hung.hang();
            ByteBuffer dst = ByteBuffer.allocate(64 << 10);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> dev.read(0, dst, 300)).isInstanceOfSatisfying(SanlockException.class, e -> {
                assertThat(e.code()).isEqualTo(-202);
                assertThat(e.getMessage()).contains("read of 65536 bytes at offset 0").contains("timed out after 300 ms");
            });
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 5000L);
            assertThat(dev.inFlight()).as("the abandoned read is still with the kernel").isEqualTo(1);
            dev.close();
            assertThat(dev.descriptorClosed()).as("descriptor kept while the kernel may still use it").isFalse();
            // The same size class, over and over, while the abandoned read is in flight and then completes:
            // a buffer handed out again before the kernel was done would receive 0xAB.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger rounds = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reuser = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        ByteBuffer b = ByteBuffer.allocate(64 << 10);
                        healthy.readFully(0, b, 10_000);
                        for (byte x : b.array()) {
                            if (x != 0x11) {
                                throw new AssertionError("a reused buffer received a byte of the late read: " + x);
                            }
                        }
                        rounds.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            await("reads of a healthy file while one is abandoned", () -> rounds.get() >= 20 || failure.get() != null);
            hung.resume();
            await("the abandoned read reaped", () -> dev.descriptorClosed());
            int at = rounds.get();
            await("more reads after the late completion", () -> rounds.get() >= at + 20 || failure.get() != null);
            stop.set(true);
            reuser.join();
            assertThat(failure.get()).isNull();
            assertThat(dev.inFlight()).isZero();
            if (ioPath == Path_.AIO) {
                assertThat(AioContexts.reaped()).as("reaped through io_getevents").isGreaterThan(reapedBefore);
            }
            assertThat(dst.array()).as("the caller's buffer never sees a read it gave up on").containsOnly(0);
            assertThat(dst.position()).isZero();
        } finally {
            dev.close();
            healthy.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Path_.class)
    void aHungWriteIsAbandonedAndLandsLaterWithItsOwnBytesWhileTheCallersBufferIsReused(Path_ ioPath) throws Exception {
        Path backing = filled("backing", 8 << 20, (byte) 0);
        hung = ThrottledLoopDevice.attach(backing);
        Path other = filled("other", 1 << 20, (byte) 0);
        try (DirectFileStorage dev = open(hung.device(), ioPath); DirectFileStorage healthy = open(other.toString(), ioPath)) {
            hung.hang();
            byte[] mine = new byte[4096];
            Arrays.fill(mine, (byte) 0x5A);
            assertThatThrownBy(() -> dev.write(8192, ByteBuffer.wrap(mine), 300))
                    .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-202));
            // The caller reuses its buffer at once, and the pool hands out buffers of the same class.
            Arrays.fill(mine, (byte) 0x77);
            for (int i = 0; i < 20; i++) {
                healthy.write(4096L * i, ByteBuffer.wrap(mine), 10_000);
            }
            hung.resume();
            await("the abandoned write reaped", () -> dev.inFlight() == 0);
            ByteBuffer back = ByteBuffer.allocate(4096);
            dev.readFully(8192, back, 10_000);
            assertThat(back.array()).as("the late write wrote the bytes given to it, not the reused buffer's").containsOnly(0x5A);
            ByteBuffer h = ByteBuffer.allocate(20 * 4096);
            healthy.readFully(0, h, 10_000);
            assertThat(h.array()).containsOnly(0x77);
        }
    }
}
