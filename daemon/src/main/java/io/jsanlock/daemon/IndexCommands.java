package io.jsanlock.daemon;

import static io.jsanlock.daemon.CommandHandler.keepOpen;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.CommandHandler.Handler;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;
import io.jsanlock.wire.WireException;

import java.io.IOException;
import java.util.Map;

/**
 * The resource-index commands on the wire (FORMAT_, REBUILD_, UPDATE_, LOOKUP_RINDEX,
 * CREATE_, DELETE_RESOURCE): decoding, logging and replies; the work is {@link RindexCommands}'.
 */
final class IndexCommands {
    private final DaemonLog log;
    private final RindexCommands rindex;

    IndexCommands(DaemonLog log, RindexCommands rindex) {
        this.log = log;
        this.rindex = rindex;
    }

    void addTo(Map<Command, Handler> t) {
        t.put(Command.FORMAT_RINDEX, keepOpen(r -> whole(r, rx -> rindex.format(rx))));
        t.put(Command.REBUILD_RINDEX, keepOpen(r -> whole(r, rx -> rindex.rebuild(rx, r.flags()))));
        t.put(Command.UPDATE_RINDEX, keepOpen(r -> entry(r, (rx, re) -> rindex.update(rx, re, r.flags()))));
        t.put(Command.LOOKUP_RINDEX, keepOpen(r -> entry(r, (rx, re) -> rindex.lookup(rx, re, r.flags()))));
        t.put(Command.CREATE_RESOURCE, keepOpen(r -> entry(r, rindex::create)));
        t.put(Command.DELETE_RESOURCE, keepOpen(r -> entry(r, (rx, re) -> {
            rindex.delete(rx, re);
            return ResourceEntry.EMPTY;
        })));
    }

    @FunctionalInterface
    private interface IndexStep {
        void run(ResourceIndex rx) throws SanlockException;
    }

    @FunctionalInterface
    private interface EntryStep {
        ResourceEntry run(ResourceIndex rx, ResourceEntry re) throws SanlockException;
    }

    private static String cmdName(Request r) {
        return "cmd_" + r.header.command().statusName() + " ci " + r.client.ci;
    }

    /** FORMAT and REBUILD: the index only, answered with a result. */
    private void whole(Request r, IndexStep step) throws IOException, WireException {
        ResourceIndex rx = Requests.readRindex(r.body());
        log.info(cmdName(r) + " " + rx.lockspaceName() + " " + rx.disk().path() + ":" + rx.disk().offset());
        int result = r.outcome(() -> {
            try {
                step.run(rx);
            } catch (RuntimeException e) {
                throw unexpected(r, e);
            }
        });
        log.info(cmdName(r) + " done " + result);
        r.replyResult(result);
    }

    /** UPDATE, LOOKUP, CREATE, DELETE: the index and an entry, answered with an entry. */
    private void entry(Request r, EntryStep step) throws IOException, WireException {
        ResourceIndex rx = Requests.readRindex(r.body());
        ResourceEntry re = Requests.readRentry(r.body());
        log.info(cmdName(r) + " " + rx.lockspaceName() + " " + rx.disk().path() + ":" + rx.disk().offset()
                + " entry " + re.name() + ":" + re.offset());
        ResourceEntry out;
        int result = 0;
        try {
            out = step.run(rx, re);
        } catch (SanlockException | RuntimeException e) {
            SanlockException se = e instanceof SanlockException x ? x : unexpected(r, (RuntimeException) e);
            result = r.failure(se);
            out = ResourceEntry.EMPTY;
            log.info(cmdName(r) + " " + se.getMessage());
        }
        log.info(cmdName(r) + " done " + result);
        r.reply(Replies.rentry(r.header, result, out));
    }

    /** A failure nothing anticipated in an index command: logged, answered -5 (EIO) rather than dropping the connection. */
    private SanlockException unexpected(Request r, RuntimeException e) {
        String name = r.header.command().statusName();
        log.error("cmd_" + name + " failed: " + e);
        return new SanlockException(SanlockError.EIO, name + " failed: " + e.getMessage());
    }
}
