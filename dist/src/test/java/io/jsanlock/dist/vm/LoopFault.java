package io.jsanlock.dist.vm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

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
    private static final int O_RDWR = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private LoopFault() {
    }

    /** Sets the loop device's offset into its backing file. */
    static void setOffset(String device, long offset) {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom(device), O_RDWR);
            if (fd < 0) {
                throw new AssertionError("cannot open " + device);
            }
            try {
                MemorySegment info = a.allocate(INFO_SIZE, 8);
                if ((int) IOCTL.invokeExact(fd, (long) LOOP_GET_STATUS64, info) != 0) {
                    throw new AssertionError("LOOP_GET_STATUS64 failed on " + device);
                }
                info.set(ValueLayout.JAVA_LONG, LO_OFFSET, offset);
                if ((int) IOCTL.invokeExact(fd, (long) LOOP_SET_STATUS64, info) != 0) {
                    throw new AssertionError("LOOP_SET_STATUS64 failed on " + device);
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            if (t instanceof AssertionError e) {
                throw e;
            }
            throw new AssertionError(t);
        }
    }
}
