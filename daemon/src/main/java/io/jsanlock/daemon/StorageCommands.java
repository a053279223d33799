package io.jsanlock.daemon;

import static io.jsanlock.daemon.CommandHandler.keepOpen;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.CommandHandler.Handler;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Limits;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.WireException;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The storage commands the daemon does on a client's behalf: ALIGN, WRITE_LOCKSPACE,
 * WRITE_RESOURCE, READ_LOCKSPACE, READ_RESOURCE, READ_RESOURCE_OWNERS, and the lock value
 * block of a held lease (SET_LVB, GET_LVB).
 */
final class StorageCommands {
    private final StorageBackend storage;

    StorageCommands(StorageBackend storage) {
        this.storage = storage;
    }

    void addTo(Map<Command, Handler> t) {
        t.put(Command.ALIGN, keepOpen(this::align));
        t.put(Command.WRITE_LOCKSPACE, keepOpen(r -> {
            Lockspace ls = Requests.readLockspace(r.body());
            r.replyResult(r.outcome(() -> storage.writeLockspace(ls, r.header.data2())));
        }));
        t.put(Command.WRITE_RESOURCE, keepOpen(this::writeResource));
        t.put(Command.READ_LOCKSPACE, keepOpen(this::readLockspace));
        t.put(Command.READ_RESOURCE, keepOpen(this::readResource));
        t.put(Command.READ_RESOURCE_OWNERS, keepOpen(this::readResourceOwners));
        t.put(Command.SET_LVB, keepOpen(this::setLvb));
        t.put(Command.GET_LVB, keepOpen(this::getLvb));
    }

    private void align(Request r) throws IOException, WireException {
        Disk disk = Requests.readDisk(r.body());
        int result;
        try {
            result = (int) storage.align(disk);
        } catch (SanlockException e) {
            result = r.failure(e);
        }
        r.replyResult(result);
    }

    /** The resource with its disks, or null when the body was refused (answered already). */
    private static Resource resourceWithDisks(Request r) throws IOException {
        try {
            return Requests.readResourceWithDisks(r.body());
        } catch (WireException e) {
            r.reject(e);
            return null;
        }
    }

    private void writeResource(Request r) throws IOException {
        Resource res = resourceWithDisks(r);
        if (res != null) {
            r.replyResult(r.outcome(() -> storage.writeResource(res, r.header.data(), r.flag(CommandFlags.WRITE_CLEAR))));
        }
    }

    private void readLockspace(Request r) throws IOException, WireException {
        Lockspace ls = Requests.readLockspace(r.body());
        try {
            StorageBackend.LockspaceRead lr = storage.readLockspace(ls);
            r.reply(Replies.readLockspace(r.header, 0, lr.ioTimeout(), lr.lockspace()));
        } catch (SanlockException e) {
            r.reply(Replies.readLockspace(r.header, r.failure(e), 0, ls));
        }
    }

    /** What READ_RESOURCE(_OWNERS) sends back on failure: the name, no disks. */
    private static Resource head(Resource res) {
        return new Resource(res.lockspace(), res.name(), 0, 0, 0, 0, res.numDisks(), List.of());
    }

    private void readResource(Request r) throws IOException, WireException {
        Resource res = resourceWithDisks(r);
        if (res == null) {
            return;
        }
        try {
            r.reply(Replies.readResource(r.header, 0, storage.readResource(res)));
        } catch (SanlockException e) {
            r.reply(Replies.readResource(r.header, r.failure(e), head(res)));
        }
    }

    private void readResourceOwners(Request r) throws IOException, WireException {
        Resource res = resourceWithDisks(r);
        if (res == null) {
            return;
        }
        try {
            StorageBackend.Owners o = storage.readResourceOwners(res);
            r.reply(Replies.readResourceOwners(r.header, 0, o.resource(), o.owners()));
        } catch (SanlockException e) {
            r.reply(Replies.readResourceOwners(r.header, r.failure(e), head(res), List.of()));
        }
    }

    private void setLvb(Request r) throws IOException {
        Requests.SetLvb sl;
        try {
            sl = Requests.readSetLvb(r.header, r.body());
        } catch (WireException e) {
            r.reject(e);
            return;
        }
        r.replyResult(r.outcome(() -> storage.setLvb(sl.resource(), sl.lvb())));
    }

    private void getLvb(Request r) throws IOException, WireException {
        Resource res = Requests.readResourceHead(r.body());
        int size = r.header.data2();
        if (size < 0 || size > Limits.MAX_LVB_LEN) {
            r.reply(Replies.lvb(r.header, SanlockError.E2BIG.code(), new byte[0]));
            return;
        }
        try {
            r.reply(Replies.lvb(r.header, 0, storage.getLvb(res, size)));
        } catch (SanlockException e) {
            r.reply(Replies.lvb(r.header, r.failure(e), new byte[0]));
        }
    }
}
