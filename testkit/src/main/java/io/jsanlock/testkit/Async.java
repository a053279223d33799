package io.jsanlock.testkit;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Work a test starts beside its own thread (a second host's join, a process's output, a
 * takeover that waits out host_dead_seconds), each on a new platform thread of its own.
 *
 * <p>Why not {@code CompletableFuture.supplyAsync(task)} without an executor: that runs on the
 * JVM-wide common pool, whose few threads every test class of the module shares. When one class
 * parks a pool thread for a minute (a takeover waiting out 8N+W), a second class running beside
 * it (JUnit parallel execution) finds its "side by side" join queued behind that minute: CI saw
 * a 5 s case take 48 s that way. Why not virtual threads: the tasks block in native calls (FFM
 * O_DIRECT I/O waits in io_getevents), which pin a virtual thread's carrier, and a 2-core
 * machine has two carriers.
 */
public final class Async {
    private static final ExecutorService THREADS =
            Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().name("testkit-async-", 0).factory());

    private Async() {
    }

    /** Runs {@code task} on a new thread; a checked exception completes the future exceptionally. */
    public static <T> CompletableFuture<T> supply(Callable<T> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, THREADS);
    }

    /** A task without a result, as {@link #supply}. */
    public static CompletableFuture<Void> run(ThrowingRunnable task) {
        return supply(() -> {
            task.run();
            return null;
        });
    }

    /** The executor itself, for {@code CompletableFuture}'s own async methods. */
    public static ExecutorService executor() {
        return THREADS;
    }

    /** A {@link Runnable} that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
