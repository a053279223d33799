package io.jsanlock.dist.vm;

import io.jsanlock.posix.Posix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Storage fault injection for a loop device: moving its start (LOOP_SET_STATUS64 lo_offset) to
 * the end of the backing file makes the device zero bytes long, so every read by the host that
 * uses it comes back short, while other hosts using the backing file directly see it intact.
 */
final class LoopFault {
    private static final int LOOP_SET_STATUS64 = 0x4C04;
    private static final int LOOP_GET_STATUS64 = 0x4C05;
    private static final long LO_OFFSET = 24; // struct loop_info64: device, inode, rdevice, offset
    private static final int INFO_SIZE = 232;

    private LoopFault() {
    }

    /** Sets the loop device's offset into its backing file. */
    static void setOffset(String device, long offset) {
        Posix.Result fd = Posix.open(device, Posix.O_RDWR);
        if (fd.failed()) {
            throw new AssertionError("cannot open " + device + ": errno " + fd.errno());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(INFO_SIZE, 8);
            if (Posix.ioctl(fd.intValue(), LOOP_GET_STATUS64, info).failed()) {
                throw new AssertionError("LOOP_GET_STATUS64 failed on " + device);
            }
            info.set(ValueLayout.JAVA_LONG, LO_OFFSET, offset);
            if (Posix.ioctl(fd.intValue(), LOOP_SET_STATUS64, info).failed()) {
                throw new AssertionError("LOOP_SET_STATUS64 failed on " + device);
            }
        } finally {
            Posix.close(fd.intValue());
        }
    }
}
