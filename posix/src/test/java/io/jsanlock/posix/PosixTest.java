package io.jsanlock.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.ByteStrings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReadsBackAtAnOffsetThroughOpenPwritePreadClose() throws Exception {
        Path f = dir.resolve("area");
        Posix.Result fd = Posix.open(ByteStrings.utf8(f.toString()), Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0600);
        assertThat(fd.failed()).isFalse();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocateFrom(ValueLayout.JAVA_BYTE, "sector".getBytes(StandardCharsets.US_ASCII));
            assertThat(Posix.pwrite(fd.intValue(), out, 6, 512).value()).isEqualTo(6);
            MemorySegment in = a.allocate(6);
            assertThat(Posix.pread(fd.intValue(), in, 6, 512).value()).isEqualTo(6);
            assertThat(new String(in.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)).isEqualTo("sector");
        }
        Posix.FileStat st = Posix.fstat(fd.intValue());
        assertThat(st.size()).isEqualTo(518);
        assertThat(st.isDirectory()).isFalse();
        assertThat(st.isBlockDevice()).isFalse();
        assertThat(Posix.fcntl(fd.intValue(), Posix.F_GETFD, 0).value()).isEqualTo(Posix.FD_CLOEXEC);
        assertThat(Posix.close(fd.intValue()).failed()).isFalse();
        assertThat(Files.size(f)).isEqualTo(518);
    }

    @Test
    void aFailedCallReportsItsErrno() {
        Posix.Result r = Posix.open(ByteStrings.utf8(dir.resolve("missing").toString()), Posix.O_RDONLY);
        assertThat(r.failed()).isTrue();
        assertThat(r.errno()).isEqualTo(Errno.ENOENT);
        assertThat(Posix.close(-1).errno()).isEqualTo(9); // EBADF
    }
}
