package io.jsanlock.io;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that carry out storage I/O so that callers can stop waiting.
 * Platform daemon threads (a blocking pread through FFM would pin a virtual
 * thread's carrier anyway); the pool grows as I/Os hang and shrinks when idle.
 * Public so that other {@link SectorStorage} implementations (the test kit's in-memory
 * storage) give up on an I/O exactly as the file backend does, with one pool.
 */
public final class IoWorkers {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jsanlock-io-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private IoWorkers() {
    }

    /**
     * Runs {@code io} on a worker and waits up to {@code timeoutMillis}
     * ({@code <= 0}: no limit). On timeout the task is left running.
     */
    public static <T> T run(Callable<T> io, long timeoutMillis, String what) throws SanlockException {
        Future<T> f = POOL.submit(io);
        try {
            return timeoutMillis > 0 ? f.get(timeoutMillis, TimeUnit.MILLISECONDS) : f.get();
        } catch (TimeoutException e) {
            throw new SanlockException(SanlockError.AIO_TIMEOUT, what + " timed out after " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SanlockException(-4, what + " interrupted while waiting for the I/O", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof SanlockException se) {
                throw new SanlockException(se.code(), se.getMessage(), se);
            }
            throw new SanlockException(SanlockError.EIO, what + " failed: " + c, c);
        }
    }
}
