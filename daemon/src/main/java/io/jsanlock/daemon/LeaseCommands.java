package io.jsanlock.daemon;

import static io.jsanlock.daemon.CommandHandler.keepOpen;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.CommandHandler.Handler;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Limits;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;
import io.jsanlock.wire.ResourceStrings;
import io.jsanlock.wire.WireException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The resource-lease commands: the registered-class ones that act for a registered
 * process ({@link Request#target}) — ACQUIRE, RELEASE, INQUIRE, CONVERT, KILLPATH — and
 * REQUEST, EXAMINE_RESOURCE, EXAMINE_LOCKSPACE. Which leases a process holds is kept by
 * its {@link Client}; the leases on disk by the {@link LeaseBackend}.
 */
final class LeaseCommands {
    private final Daemon d;

    LeaseCommands(Daemon d) {
        this.d = d;
    }

    void addTo(Map<Command, Handler> t) {
        t.put(Command.ACQUIRE, keepOpen(this::acquire));
        t.put(Command.RELEASE, keepOpen(this::release));
        t.put(Command.INQUIRE, keepOpen(this::inquire));
        t.put(Command.CONVERT, keepOpen(this::convert));
        t.put(Command.KILLPATH, keepOpen(this::killpath));
        t.put(Command.REQUEST, keepOpen(this::request));
        t.put(Command.EXAMINE_RESOURCE, keepOpen(r -> {
            Resource res = Requests.readResourceHead(r.body());
            d.backend.examine(null, res);
            r.replyResult(0);
        }));
        t.put(Command.EXAMINE_LOCKSPACE, keepOpen(r -> {
            Lockspace ls = Requests.readLockspace(r.body());
            d.backend.examine(ls, null);
            r.replyResult(0);
        }));
    }

    private static String who(Client target) {
        return target.ci + "," + target.fd() + "," + target.pid();
    }

    private void acquire(Request req) throws IOException {
        Client c = req.client;
        Client target = req.target;
        Requests.Acquire a;
        try {
            a = Requests.readAcquire(req.header, c.in);
        } catch (WireException e) {
            req.reject(e);
            return;
        }
        String who = who(target);
        d.log.info("cmd_acquire " + who + " ci_in " + c.ci + " fd " + c.fd() + " count " + a.resources().size()
                + " flags " + req.flags());
        List<HeldLease> got = new ArrayList<>();
        int result = 0;
        int tokenId = d.backend.takeTokenIds(a.resources().size());
        for (Resource r : a.resources()) {
            int thisToken = tokenId == 0 ? 0 : tokenId++;
            if (target.holds(r)) {
                result = SanlockError.EEXIST.code();
                break;
            }
            try {
                got.add(d.backend.acquire(r, req.flags(), target.pid(), thisToken));
            } catch (SanlockException e) {
                result = req.failure(e);
                d.log.info("cmd_acquire " + who + " " + r.lockspace() + ":" + r.name() + " acquire_token " + result + " "
                        + e.getMessage());
                break;
            }
        }
        boolean dead = result == 0 ? !target.addLeases(got, a.options().ownerName()) : target.dead();
        if (result == 0 && !dead) {
            // Recorded first, checked second: the fencing of a lost lockspace, a rem_lockspace
            // and a shutdown each mark the leases dropped (or set stopping) before they look
            // for holders. So either they see this client among the holders and stop it, or
            // this check sees the lease dropped and the client is never told it holds it.
            boolean dropped = d.stopping() || got.stream().anyMatch(l -> !d.backend.isHeld(l));
            if (dropped) {
                target.removeLeases(got);
                result = SanlockError.ENOSPC.code();
                d.log.info("cmd_acquire " + who + " lockspace lost or left as the lease was granted");
            }
        }
        if (result != 0 || dead) {
            for (HeldLease l : got) {
                try {
                    d.backend.release(l);
                } catch (SanlockException e) {
                    d.log.error("cmd_acquire " + who + " undo of " + l.resource().name() + " failed " + e.code());
                }
            }
            if (result == 0) {
                result = SanlockError.ENOTTY.code();
            }
        }
        d.log.info("cmd_acquire " + who + " result " + result + " pid_dead " + (dead ? 1 : 0));
        d.observer.acquired(result, a.resources().size()); // metrics (daemon -M)
        req.replyResult(result);
    }

    private void release(Request req) throws IOException {
        Client target = req.target;
        List<Resource> names;
        try {
            names = Requests.readRelease(req.header, req.body());
        } catch (WireException e) {
            req.reject(e);
            return;
        }
        if (req.flag(CommandFlags.REL_ORPHAN)) {
            Resource r = names.isEmpty() ? new Resource("", "", 0, 0, 0, 0, 0, List.of()) : names.get(0);
            int result;
            try {
                result = d.backend.releaseOrphans(r.lockspace(), r.name());
            } catch (SanlockException e) {
                result = req.failure(e);
            }
            req.replyResult(result);
            return;
        }
        // REL_RENAME: the second entry is not a lease but the name the first one gets on disk.
        String newName = null;
        if (req.flag(CommandFlags.REL_RENAME) && !req.flag(CommandFlags.REL_ALL) && names.size() == 2) {
            newName = names.get(1).name();
            names = names.subList(0, 1);
        }
        Client.Taken taken = target.takeLeases(names, req.flag(CommandFlags.REL_ALL));
        int result = taken.missing() > 0 ? SanlockError.EPERM.code() : 0;
        for (HeldLease l : taken.leases()) {
            String renamed = newName;
            int r = req.outcome(() -> {
                if (renamed != null) {
                    d.backend.releaseRenaming(l, renamed);
                } else {
                    d.backend.release(l);
                }
            });
            if (r != 0) {
                result = r;
            }
        }
        d.log.info("cmd_release " + who(target) + " ci_in " + req.client.ci + " count "
                + taken.leases().size() + " flags " + req.flags() + " result " + result);
        d.observer.released(result); // metrics (daemon -M)
        req.replyResult(result);
    }

    private void inquire(Request req) throws IOException {
        List<HeldLease> leases = req.target.leases();
        int result = 0;
        StringBuilder sb = new StringBuilder();
        for (HeldLease l : leases) {
            String one = ResourceStrings.toState(l.forState());
            if (one.length() > Limits.MAX_RESOURCE_STATE_LEN) {
                result = SanlockError.ELIBBAD.code();
                break;
            }
            if (one.contains(" ")) {
                result = SanlockError.ELIBSCN.code(); // the reference refuses a state with a space
                break;
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(one);
        }
        req.reply(Replies.inquire(req.header, result, leases.size(), result == 0 ? sb.toString() : null));
    }

    private void convert(Request req) throws IOException, WireException {
        Client target = req.target;
        Resource r = Requests.readResourceHead(req.body());
        boolean toShared = (r.flags() & ResourceFlags.SHARED) != 0;
        HeldLease held = target.lease(r);
        int result;
        if (held == null) {
            result = SanlockError.ENOENT.code();
        } else if (held.shared() == toShared) {
            result = SanlockError.EALREADY.code();
        } else {
            try {
                target.replaceLease(held, d.backend.convert(held, toShared, req.flags()));
                result = 0;
            } catch (SanlockException e) {
                result = req.failure(e);
            }
        }
        req.replyResult(result);
    }

    private void killpath(Request req) throws IOException, WireException {
        Client target = req.target;
        Requests.Killpath k = Requests.readKillpath(req.body());
        target.killpath(k.path(), k.args(), req.flags());
        d.log.info("cmd_killpath ci " + target.ci + " pid " + target.pid() + " path " + k.path() + " args " + k.args());
        req.replyResult(0);
    }

    private void request(Request req) throws IOException {
        Resource r;
        try {
            r = Requests.readResourceWithDisks(req.body());
        } catch (WireException e) {
            req.reject(e);
            return;
        }
        req.replyResult(req.outcome(() -> d.backend.request(r, req.header.data(), req.flags())));
    }
}
