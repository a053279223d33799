package io.jsanlock.engine;

import io.jsanlock.base.Scheduler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls listeners and lease holders on one event thread: they see events in the order the
 * engine found them and cannot stall a renewal, a check or an acquire by being slow. (The
 * {@link RenewalObserver} is the exception and is not called from here: the watchdog it stands
 * for must follow the renewals synchronously.)
 */
final class EventDispatch {
    private final Scheduler scheduler;
    private final ExecutorService thread;
    private final List<LockspaceListener> listeners = new CopyOnWriteArrayList<>();

    EventDispatch(Scheduler scheduler, ExecutorService thread) {
        this.scheduler = scheduler;
        this.thread = thread;
    }

    void addListener(LockspaceListener l) {
        listeners.add(l);
    }

    void removeListener(LockspaceListener l) {
        listeners.remove(l);
    }

    /** Tells every listener, e.g. {@code l -> l.lockspaceLost(e)}. */
    void toListeners(Consumer<LockspaceListener> call) {
        for (LockspaceListener l : listeners) {
            post(() -> call.accept(l));
        }
    }

    /** Tells one lease holder, e.g. that its lease was lost. */
    void toHolder(Runnable call) {
        post(call);
    }

    private void post(Runnable call) {
        scheduler.execute(thread, call);
    }

    /** No more events; those queued are delivered for up to 2 s. */
    void shutdown() {
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
