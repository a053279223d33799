package io.jsanlock.engine;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;

/**
 * Retries of a release whose I/O timed out (docs/algorithms.md 3.6): the first at least N
 * after the first attempt began, then at least 2N apart, each on a worker thread at the
 * time the scheduler gives it, until one completes, fails otherwise, the lease is lost or
 * the engine stops. Meanwhile the resource stays in the table as RELEASING, so a local
 * acquire of it gets -11, as in the reference.
 */
final class ReleaseRetries {
    private final EngineContext ctx;

    ReleaseRetries(EngineContext ctx) {
        this.ctx = ctx;
    }

    /** Starts retrying {@code r}'s release; {@code done} runs once the retries end, however they end. */
    void start(HeldResource r, long firstStartedSecond, Runnable done) {
        retryAt(r, firstStartedSecond + r.ls.mine.releaseFirstRetrySeconds(), done);
    }

    private void retryAt(HeldResource r, long second, Runnable done) {
        long delay = second * 1_000_000_000L - ctx.clock.nanos(); // seconds() reaches {@code second} then
        ctx.scheduler.schedule(ctx.workers, () -> attempt(r, done), delay);
    }

    private void attempt(HeldResource r, Runnable done) {
        boolean again = false;
        try {
            if (ctx.halted || ctx.closed) {
                return;
            }
            long began = ctx.clock.seconds();
            synchronized (r) {
                if (r.lost) {
                    return;
                }
            }
            try {
                r.paxos().release(r.token());
                ctx.log.logf("r%s:%s release async done", r.key.lockspace(), r.key.resource());
            } catch (SanlockException e) {
                if (e.code() != SanlockError.AIO_TIMEOUT.code()) {
                    ctx.log.logf("r%s:%s release async error %d", r.key.lockspace(), r.key.resource(), e.code());
                } else {
                    again = true;
                    retryAt(r, began + r.ls.mine.releaseRetrySeconds(), done);
                }
            }
        } finally {
            if (!again) {
                done.run();
            }
        }
    }
}
