package io.jsanlock.daemon;

import static io.jsanlock.daemon.CommandHandler.keepOpen;
import static io.jsanlock.daemon.Request.result;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.CommandHandler.Handler;
import io.jsanlock.daemon.CommandHandler.Outcome;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Limits;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.WireException;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The lockspace commands: ADD_, INQ_, REM_LOCKSPACE, GET_LOCKSPACES, GET_HOSTS, SET_CONFIG. */
final class LockspaceCommands {
    private static final long SECOND = 1_000_000_000L;

    private final Daemon d;
    private final RindexCommands rindex;
    /** The removals asked for and not finished, by lockspace name. */
    private final Map<String, CompletableFuture<Void>> removals = new HashMap<>();
    /** The daemon's one-second ticks count from here (the reference's main loop). */
    private final long tickOrigin;

    LockspaceCommands(Daemon d, RindexCommands rindex) {
        this.d = d;
        this.rindex = rindex;
        this.tickOrigin = d.clock.nanos();
    }

    void addTo(Map<Command, Handler> t) {
        t.put(Command.ADD_LOCKSPACE, keepOpen(r -> logged(r, this::add)));
        t.put(Command.INQ_LOCKSPACE, keepOpen(r -> logged(r, this::inquire)));
        t.put(Command.REM_LOCKSPACE, keepOpen(r -> logged(r, this::remove)));
        t.put(Command.GET_LOCKSPACES, this::getLockspaces);
        t.put(Command.GET_HOSTS, this::getHosts);
        t.put(Command.SET_CONFIG, this::setConfig);
    }

    @FunctionalInterface
    private interface LockspaceStep {
        int run(Request r, Lockspace ls);
    }

    /** Reads the lockspace, runs the step, logs and replies its result as the reference does. */
    private void logged(Request r, LockspaceStep step) throws IOException, WireException {
        Lockspace ls = Requests.readLockspace(r.body());
        int result = step.run(r, ls);
        d.log.info("cmd_" + r.header.command().statusName() + " ci " + r.client.ci + " " + ls.name() + ":" + ls.hostId() + ":"
                + ls.disk().path() + ":" + ls.disk().offset() + " result " + result);
        r.replyResult(result);
    }

    private int add(Request r, Lockspace ls) {
        if (ls.name().isEmpty() || ls.hostId() == 0 || ls.disk().path().isEmpty()) {
            return SanlockError.EINVAL.code();
        }
        return r.outcome(() -> d.backend.addLockspace(ls, r.header.data(), r.flag(CommandFlags.ADD_ASYNC)));
    }

    private int inquire(Request req, Lockspace ls) {
        int r = d.backend.inqLockspace(ls);
        while (r == SanlockError.EINPROGRESS.code() && req.flag(CommandFlags.INQ_WAIT) && !d.stopping()) {
            try {
                d.clock.sleepNanos(SECOND);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = d.backend.inqLockspace(ls);
        }
        return r;
    }

    private int remove(Request r, Lockspace ls) {
        boolean async = r.flag(CommandFlags.REM_ASYNC);
        boolean unused = r.flag(CommandFlags.REM_UNUSED);
        // As sanlock 3.8.5: the removal begins at the daemon's next one-second tick (until
        // then the lockspace is used as before, and a repeated request is answered 0);
        // 1. from then on no lease of the lockspace is granted, so the holders seen
        // below are all there will be; 2. they are SIGKILLed until their connections
        // closed, the lockspace still listed as joined; 3. only then is it listed as
        // leaving and the host id released — once it is free, other hosts may take
        // their leases at once (algorithms.md 4.4).
        if (rindex.busy(ls.name())) {
            // the reference refuses to leave a lockspace while one of its index operations runs
            return SanlockError.EBUSY.code();
        }
        CompletableFuture<Void> removal;
        synchronized (removals) {
            boolean fresh;
            try {
                fresh = d.backend.requestRemoval(ls, unused);
            } catch (SanlockException e) {
                return r.failure(e);
            }
            removal = fresh ? new CompletableFuture<>() : removals.get(ls.name());
            if (fresh) {
                removals.put(ls.name(), removal);
                CompletableFuture<Void> done = removal;
                Thread.ofVirtual().name("jsanlock-rem-" + ls.name()).start(() -> {
                    try {
                        removeInSteps(ls, unused);
                    } finally {
                        removals.remove(ls.name(), done);
                        done.complete(null);
                    }
                });
            }
        }
        if (async || removal == null) {
            return 0;
        }
        removal.join();
        return d.backend.inqLockspace(ls) == SanlockError.ENOENT.code() ? 0 : SanlockError.EBUSY.code();
    }

    private void awaitNextTick() {
        long sinceTick = (d.clock.nanos() - tickOrigin) % SECOND;
        try {
            d.clock.sleepNanos(SECOND - sinceTick);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeInSteps(Lockspace ls, boolean unused) {
        awaitNextTick();
        int begun = result(() -> d.backend.beginRemoval(ls, unused));
        if (begun != 0) {
            d.backend.listRemoval(ls.name());
            d.log.error("s" + ls.name() + " rem_lockspace failed " + begun);
            return;
        }
        boolean holdersGone = d.fencer.killForRemoval(ls.name());
        d.backend.listRemoval(ls.name());
        if (!holdersGone) {
            d.log.error("s" + ls.name() + " rem_lockspace: holders still alive, host id kept");
            return;
        }
        awaitNextTick(); // listed as leaving until the next tick, as the reference
        int r = result(() -> d.backend.completeRemoval(ls));
        if (r != 0) {
            d.log.error("s" + ls.name() + " rem_lockspace failed " + r);
        }
    }

    private Outcome getLockspaces(Request r) throws IOException, WireException {
        List<Lockspace> all = d.backend.lockspaces();
        int max = Limits.MAX_REPLY_BODY / Lockspace.SIZE;
        List<Lockspace> sent = all.size() > max ? all.subList(0, max) : all;
        r.reply(Replies.lockspaces(r.header, all.size() > max ? SanlockError.ENOSPC.code() : 0, sent, all.size()));
        return Outcome.CLOSE;
    }

    private Outcome getHosts(Request r) throws IOException, WireException {
        Lockspace ls = Requests.readLockspace(r.body());
        try {
            r.reply(Replies.hosts(r.header, 0, d.backend.hosts(ls.name(), ls.hostId())));
        } catch (SanlockException e) {
            r.reply(Replies.hosts(r.header, r.failure(e), List.of()));
        }
        return Outcome.CLOSE;
    }

    private Outcome setConfig(Request r) throws IOException, WireException {
        Lockspace ls = Requests.readLockspace(r.body());
        int v = r.header.data();
        int result;
        if (v != CommandFlags.CONFIG_USED && v != CommandFlags.CONFIG_UNUSED
                && v != CommandFlags.CONFIG_USED_BY_ORPHANS && v != CommandFlags.CONFIG_UNUSED_BY_ORPHANS) {
            result = SanlockError.EINVAL.code();
        } else {
            result = r.outcome(() -> d.backend.setConfig(ls.name(), v));
        }
        r.replyInline(result);
        return Outcome.CLOSE;
    }
}
