package io.jsanlock.engine;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Geometry;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.testkit.Areas;
import io.jsanlock.testkit.FaultyStorage;
import io.jsanlock.testkit.MemoryStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Several engines (hosts) over one in-memory disk at {@link #PATH}: lockspace LS (io_timeout
 * 1) at 0 with R1 at 1 MiB and R2 at 2 MiB, lockspace LS2 at 3 MiB with R3 at 4 MiB, all
 * behind one fault-injecting wrapper on the test's clock. Closing it closes every engine
 * that was not halted.
 */
final class SharedDisk implements AutoCloseable {
    static final Geometry G = Geometry.S512_A1M;
    static final String PATH = "/mem/disk";
    static final ResourceSpec R1 = res("R1", 1 << 20);
    static final ResourceSpec R2 = res("R2", 2 << 20);

    final MemoryStorage mem = new MemoryStorage(5 << 20);
    final FaultyStorage disk;
    private final List<LeaseEngine> engines = new ArrayList<>();

    SharedDisk(MonotonicClock clock) {
        disk = new FaultyStorage(mem, clock);
        disk.setRecording(false);
        try {
            Areas.initLockspace(mem, 0, G, "LS", 1);
            Areas.initResource(mem, 1 << 20, G, "LS", "R1", 0);
            Areas.initResource(mem, 2 << 20, G, "LS", "R2", 0);
            Areas.initLockspace(mem, 3 << 20, G, "LS2", 1);
            Areas.initResource(mem, 4 << 20, G, "LS2", "R3", 0);
        } catch (SanlockException e) {
            throw new IllegalStateException("in-memory disk could not be initialised", e);
        }
    }

    /** A host named {@code name} on this disk (any other path: -2), with the test's clock and options. */
    LeaseEngine engine(String name, UnaryOperator<LeaseEngine.Builder> options) throws SanlockException {
        LeaseEngine e = options.apply(LeaseEngine.builder(name).seed(7).storage(p -> {
            if (!p.equals(PATH)) {
                throw new SanlockException(SanlockError.ENOENT, "no such path " + p);
            }
            return disk;
        })).build();
        engines.add(e);
        return e;
    }

    static LockspaceSpec ls(long hostId) {
        return new LockspaceSpec("LS", hostId, PATH, 0);
    }

    static ResourceSpec res(String name, long offset) {
        return new ResourceSpec("LS", name, List.of(new ResourceSpec.Disk(PATH, offset)), 0, false, false);
    }

    /** The leader record (or delta lease) at {@code offset}, as on the disk now. */
    Leader leader(long offset) {
        return Leader.decode(ByteBuffer.wrap(mem.copy(offset, 512)).order(ByteOrder.LITTLE_ENDIAN), 0);
    }

    @Override
    public void close() {
        for (LeaseEngine e : engines) {
            if (!e.halted()) {
                e.close();
            }
        }
    }
}
