package io.jsanlock.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.io.aio.AioContexts;
import io.jsanlock.posix.Posix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The premise of {@link AioContexts}' buffer rule, shown on a real hung device: the kernel
 * writes into an abandoned read's buffer <em>after</em> the caller's timeout, and reports
 * the completion only then. So that memory must stay the request's until
 * {@code onLateCompletion} runs (had it been reused meanwhile, the late data would land in
 * someone else's I/O).
 */
class LateAioCompletionTest {
    @TempDir
    Path dir;

    @Test
    void anAbandonedReadFillsItsOwnBufferAfterTheTimeoutAndIsReportedOnlyThen() throws Exception {
        assertThat(AioContexts.unavailableReason()).isNull();
        byte[] content = new byte[8 << 20];
        Arrays.fill(content, (byte) 0xAB);
        try (ThrottledLoopDevice hung = ThrottledLoopDevice.attach(Files.write(dir.resolve("backing"), content));
                Arena arena = Arena.ofShared()) {
            Posix.Result open = Posix.open(hung.device(), Posix.O_RDWR | Posix.O_DIRECT | Posix.O_CLOEXEC);
            assertThat(open.failed()).isFalse();
            int fd = (int) open.value();
            MemorySegment buf = arena.allocate(4096, 4096);
            buf.fill((byte) 0);
            AtomicBoolean reported = new AtomicBoolean();
            int abandonedBefore = AioContexts.abandoned();
            hung.hang();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> AioContexts.transfer(fd, false, buf, 4096, 0, 300_000_000L, () -> reported.set(true)))
                    .isInstanceOf(AioContexts.TimedOut.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 5000L);
            assertThat(AioContexts.abandoned()).isEqualTo(abandonedBefore + 1);
            assertThat(reported).isFalse();
            assertThat(buf.toArray(ValueLayout.JAVA_BYTE)).as("nothing read yet").containsOnly(0);
            hung.resume();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!reported.get() && System.nanoTime() < deadline) {
                AioContexts.reapIdleNow();
                Thread.sleep(5);
            }
            assertThat(reported).as("reaped after the device resumed").isTrue();
            assertThat(buf.toArray(ValueLayout.JAVA_BYTE)).as("the kernel wrote the late data into this buffer").containsOnly(0xAB);
            assertThat(AioContexts.abandoned()).isEqualTo(abandonedBefore);
            Posix.close(fd);
        }
    }
}
