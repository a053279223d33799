package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.LockspaceInfo;
import io.jsanlock.client.ResourceOwners;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;
import io.jsanlock.wire.ResourceStrings;

import java.io.PrintStream;
import java.util.List;

/** {@code client init} (alias {@code write}) and {@code client read}: lease storage through the daemon. */
final class StorageActions {
    private StorageActions() {
    }

    static int init(ClientActions.Context c) {
        Args a = c.args();
        int geometry = a.geometryFlags();
        return ClientActions.progress(c, "init", () -> {
            if (a.lockspacePathGiven()) {
                c.client().writeLockspace(a.wireLockspace(geometry), (int) a.atoll('m', 0), (int) a.atoll('o', 0));
            } else if (!a.resources().isEmpty()) {
                Resource r = Args.wireResource(a.resources().get(0), geometry, 0);
                c.client().writeResource(r, (int) a.atoll('m', 0), (int) a.atoll('n', 0), a.has('z'));
            } else {
                throw new SanlockException(SanlockError.EINVAL, "init needs -s LOCKSPACE or -r RESOURCE");
            }
        });
    }

    static int read(ClientActions.Context c) {
        Args a = c.args();
        PrintStream out = c.out();
        try {
            if (a.lockspacePathGiven()) {
                LockspaceInfo info = c.client().readLockspace(a.wireLockspace(0));
                Lockspace ls = info.lockspace();
                out.println("s " + ls.name() + ":" + ls.hostId() + ":" + ls.disk().path() + ":" + ls.disk().offset());
                if (a.debug()) {
                    out.println("io_timeout " + info.ioTimeout());
                    out.println("sector_size " + info.sectorSize());
                    out.println("align_size " + info.alignSize());
                }
                return 0;
            }
            if (a.resources().isEmpty()) {
                throw new SanlockException(SanlockError.EINVAL, "read needs -s LOCKSPACE or -r RESOURCE");
            }
            Resource req = Args.wireResource(a.resources().get(0), 0, 0);
            if (req.numDisks() == 0) {
                throw new SanlockException(SanlockError.EINVAL, "resource " + req.name() + " names no disk");
            }
            Resource got;
            List<Host> owners = null;
            if (a.atoll('h', 0) != 0) {
                ResourceOwners ro = c.client().readResourceOwners(req);
                got = ro.resource();
                owners = ro.owners();
            } else {
                got = c.client().readResource(req);
            }
            Resource shown = new Resource(got.lockspace(), got.name(), got.lver(), 0, 0, got.flags(), req.numDisks(),
                    req.disks());
            out.println("r " + ResourceStrings.toState(shown));
            if (a.debug()) {
                out.println("sector_size " + ResourceFlags.sectorSize(got.flags()));
                out.println("align_size " + ResourceFlags.alignSize(got.flags()));
            }
            if (owners != null) {
                for (Host h : owners) {
                    out.println(h.timestamp() == 0 ? "h " + h.hostId() + " gen " + h.generation()
                            : "h " + h.hostId() + " gen " + h.generation() + " timestamp " + h.timestamp());
                }
            }
            return 0;
        } catch (SanlockException e) {
            out.println("read error " + c.code(e));
            return 1;
        }
    }
}
