package io.jsanlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemorySectorStorageTest {
    @Test
    void hungIoTimesOutWithAioTimeoutAndNeverTouchesTheCallersBuffer() throws Exception {
        MemorySectorStorage s = new MemorySectorStorage(8192);
        s.write(0, ByteBuffer.wrap(filled(512, (byte) 7)), 1000);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        s.setFaultHook((write, off, len) -> {
            release.await();
        });
        ByteBuffer dst = ByteBuffer.allocate(512);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> s.read(0, dst, 200))
                .isInstanceOfSatisfying(SanlockException.class, e -> {
                    assertThat(e.code()).isEqualTo(-202);
                    assertThat(e.getMessage()).contains("timed out");
                });
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isBetween(150L, 5000L);
        // Let the hung read finish; the caller's buffer must stay untouched.
        s.setFaultHook((write, off, len) -> finished.countDown());
        release.countDown();
        ByteBuffer probe = ByteBuffer.allocate(512);
        s.read(0, probe, 1000);
        assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(dst.array()).containsOnly(0);
        assertThat(dst.position()).isZero();
        assertThat(probe.array()).containsOnly(7);
    }

    @Test
    void injectedErrorsSurfaceWithTheirCode() {
        MemorySectorStorage s = new MemorySectorStorage(4096);
        s.setFaultHook((write, off, len) -> {
            if (write) {
                throw new SanlockException(io.jsanlock.base.SanlockError.EIO, "injected");
            }
        });
        assertThatThrownBy(() -> s.write(0, ByteBuffer.allocate(512), 1000))
                .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-5));
        assertThat(s.snapshot()).containsOnly(0);
    }

    @Test
    void fixedSizeStorageRefusesWritesPastTheEnd() {
        MemorySectorStorage s = new MemorySectorStorage(1024);
        assertThatThrownBy(() -> s.write(1024, ByteBuffer.allocate(512), 1000))
                .isInstanceOfSatisfying(SanlockException.class, e -> assertThat(e.code()).isEqualTo(-28));
    }

    private static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, v);
        return b;
    }
}
