package io.jsanlock.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one place jsanlock links C functions (FFM downcalls into libc), shared by {@link Posix}
 * and {@link Sockets}. Every downcall captures errno right after the call: Java code running
 * between the call and a later read of errno (class loading, GC) could overwrite it.
 *
 * <p>Linking is a restricted operation: the JVM warns unless native access is enabled
 * ({@code --enable-native-access=ALL-UNNAMED}, which bin/jsanlock and the tests pass), and
 * javac warns at every call of a restricted method. The warning is suppressed here, and only
 * here, because binding libc is this module's one job; no other module calls a restricted method.
 */
@SuppressWarnings("restricted")
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    /** The layout of the captured call state (errno), allocated per call by the callers. */
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Native() {
    }

    /**
     * Links libc's {@code name} with errno capture: the handle takes the call-state segment
     * (from {@link #callState}) as its first argument. {@code firstVariadicArg} is the index of
     * the first variadic parameter (open, fcntl, ioctl), or -1 for a fixed-arity function.
     */
    static MethodHandle bind(String name, FunctionDescriptor fd, int firstVariadicArg) {
        MemorySegment addr = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return firstVariadicArg < 0 ? LINKER.downcallHandle(addr, fd, CAPTURE_ERRNO)
                : LINKER.downcallHandle(addr, fd, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadicArg));
    }

    static MethodHandle bind(String name, FunctionDescriptor fd) {
        return bind(name, fd, -1);
    }

    static MemorySegment callState(Arena a) {
        return a.allocate(CALL_STATE);
    }

    /** The errno a call captured into {@code state}. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
