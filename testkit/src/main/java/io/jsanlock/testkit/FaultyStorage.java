package io.jsanlock.testkit;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.lease.LeaseStorage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a {@link LeaseStorage} and injects faults into chosen I/Os: errors, I/Os
 * that hang past their timeout (optionally landing afterwards, as a real
 * uncancellable write can), torn writes (only a prefix reaches the disk) and
 * corrupted sectors (a byte flipped on the way in or out). Every I/O is also
 * recorded, so tests can assert the exact sequence the protocol issued.
 *
 * <p>Rules are matched in order; each fires for {@code times} I/Os (or forever
 * when negative) and is then spent.
 */
public final class FaultyStorage implements LeaseStorage {
    public enum Op { READ, WRITE }

    /** One I/O as the protocol issued it. */
    public record Io(Op op, long offset, int length, long timeoutNanos) {}

    public enum Fault {
        /** Fail with the rule's code (default EIO). */
        ERROR,
        /** Wait the I/O's timeout on the clock, then fail with AIO_TIMEOUT; nothing transferred. */
        TIMEOUT,
        /** Like TIMEOUT, but a write lands anyway (late completion of an uncancelled I/O). */
        TIMEOUT_THEN_LAND,
        /** Write only the first {@code arg} bytes, then fail with EIO. */
        TORN,
        /** Transfer, but flip the byte at {@code arg} (relative to the I/O) — silently. */
        CORRUPT,
        /** Transfer normally but only {@code arg} bytes of a read: EMSGSIZE. */
        SHORT
    }

    /** Which I/Os a rule applies to. */
    @FunctionalInterface
    public interface Match {
        boolean test(Op op, long offset, int length);

        static Match write(long offset) {
            return (op, off, len) -> op == Op.WRITE && off == offset;
        }

        static Match read(long offset) {
            return (op, off, len) -> op == Op.READ && off == offset;
        }

        static Match any(Op o) {
            return (op, off, len) -> op == o;
        }

        static Match covering(Op o, long offset) {
            return (op, off, len) -> op == o && off <= offset && offset < off + len;
        }
    }

    private record Rule(Match match, Fault fault, int arg, SanlockError code, AtomicInteger left) {}

    private final LeaseStorage inner;
    private final MonotonicClock clock;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Io> history = new CopyOnWriteArrayList<>();
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();

    /** Something to do just before a matching I/O runs (another host's write landing, a clock jump). */
    private record Hook(Match match, Runnable action, AtomicInteger left) {}
    private volatile boolean recording = true;

    public FaultyStorage(LeaseStorage inner, MonotonicClock clock) {
        this.inner = inner;
        this.clock = clock;
    }

    public FaultyStorage inject(Match m, Fault f, int times) {
        return inject(m, f, 0, SanlockError.EIO, times);
    }

    public FaultyStorage inject(Match m, Fault f, int arg, SanlockError code, int times) {
        rules.add(new Rule(m, f, arg, code, new AtomicInteger(times)));
        return this;
    }

    public void clearFaults() {
        rules.clear();
        hooks.clear();
    }

    /** Runs {@code action} before the next {@code times} I/Os that match (negative: always). */
    public FaultyStorage before(Match m, int times, Runnable action) {
        hooks.add(new Hook(m, action, new AtomicInteger(times)));
        return this;
    }

    private void runHooks(Op op, long offset, int len) {
        for (Hook h : hooks) {
            if (h.match.test(op, offset, len)) {
                int left = h.left.get();
                if (left == 0 || (left > 0 && !h.left.compareAndSet(left, left - 1))) {
                    continue;
                }
                h.action.run();
            }
        }
    }

    public List<Io> history() {
        return new ArrayList<>(history);
    }

    public void clearHistory() {
        history.clear();
    }

    public void setRecording(boolean on) {
        recording = on;
    }

    private Rule match(Op op, long offset, int len) {
        for (Rule r : rules) {
            if (r.match.test(op, offset, len)) {
                int left = r.left.get();
                if (left == 0) {
                    continue;
                }
                if (left > 0 && !r.left.compareAndSet(left, left - 1)) {
                    continue;
                }
                return r;
            }
        }
        return null;
    }

    @Override
    public void read(long offset, ByteBuffer dst, long timeoutNanos) throws SanlockException {
        int len = dst.remaining();
        if (recording) {
            history.add(new Io(Op.READ, offset, len, timeoutNanos));
        }
        runHooks(Op.READ, offset, len);
        Rule r = match(Op.READ, offset, len);
        if (r == null) {
            inner.read(offset, dst, timeoutNanos);
            return;
        }
        switch (r.fault) {
            case ERROR -> throw new SanlockException(r.code, "injected read error at " + offset);
            case TIMEOUT, TIMEOUT_THEN_LAND -> {
                sleep(timeoutNanos);
                throw new SanlockException(SanlockError.AIO_TIMEOUT, "injected read timeout at " + offset);
            }
            case SHORT -> throw new SanlockException(SanlockError.EMSGSIZE, "injected short read at " + offset);
            case CORRUPT -> {
                int start = dst.position();
                inner.read(offset, dst, timeoutNanos);
                dst.put(start + r.arg, (byte) (dst.get(start + r.arg) ^ 0x5A));
            }
            case TORN -> inner.read(offset, dst, timeoutNanos);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, long timeoutNanos) throws SanlockException {
        int len = src.remaining();
        if (recording) {
            history.add(new Io(Op.WRITE, offset, len, timeoutNanos));
        }
        runHooks(Op.WRITE, offset, len);
        Rule r = match(Op.WRITE, offset, len);
        if (r == null) {
            inner.write(offset, src, timeoutNanos);
            return;
        }
        switch (r.fault) {
            case ERROR -> throw new SanlockException(r.code, "injected write error at " + offset);
            case TIMEOUT -> {
                sleep(timeoutNanos);
                throw new SanlockException(SanlockError.AIO_TIMEOUT, "injected write timeout at " + offset);
            }
            case TIMEOUT_THEN_LAND -> {
                sleep(timeoutNanos);
                inner.write(offset, src, timeoutNanos);
                throw new SanlockException(SanlockError.AIO_TIMEOUT, "injected write timeout at " + offset
                        + " (the write landed late)");
            }
            case TORN -> {
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + r.arg);
                // read-modify-write so only the prefix changes, like a sector torn mid-transfer
                ByteBuffer cur = ByteBuffer.allocate(len);
                inner.read(offset, cur, timeoutNanos);
                cur.clear();
                cur.put(part);
                cur.clear();
                inner.write(offset, cur, timeoutNanos);
                throw new SanlockException(SanlockError.EIO, "injected torn write at " + offset);
            }
            case CORRUPT -> {
                ByteBuffer copy = ByteBuffer.allocate(len);
                copy.put(src.duplicate());
                copy.put(r.arg, (byte) (copy.get(r.arg) ^ 0x5A));
                copy.clear();
                inner.write(offset, copy, timeoutNanos);
                src.position(src.limit());
            }
            case SHORT -> throw new SanlockException(SanlockError.EMSGSIZE, "injected short write at " + offset);
        }
    }

    private void sleep(long nanos) throws SanlockException {
        try {
            clock.sleepNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SanlockException(SanlockError.ERROR, "interrupted");
        }
    }
}
