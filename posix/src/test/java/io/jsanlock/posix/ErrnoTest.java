package io.jsanlock.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    /** glibc's texts, asked of this host's libc (python3's os.strerror in the C locale) in the same run. */
    @Test
    void strerrorMatchesGlibcForEveryLinuxErrno() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("python3", "-c",
                "import os\nfor i in range(0, 140): print(os.strerror(i))");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.redirectErrorStream(true).start();
        List<String> glibc = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(glibc).hasSize(140);
        for (int errno = 1; errno < 140; errno++) {
            assertThat(Errno.strerror(errno)).as("strerror(%d)", errno).isEqualTo(glibc.get(errno));
        }
    }

    @Test
    void errnoNumbersAreLinuxs() {
        assertThat(List.of(Errno.EPERM, Errno.ENOENT, Errno.EINTR, Errno.EAGAIN, Errno.EISDIR, Errno.EINVAL, Errno.EPIPE,
                Errno.ECONNRESET, Errno.EINPROGRESS)).containsExactly(1, 2, 4, 11, 21, 22, 32, 104, 115);
        assertThat(Errno.strerror(Errno.ENOENT)).isEqualTo("No such file or directory");
    }
}
