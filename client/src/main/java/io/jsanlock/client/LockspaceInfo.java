package io.jsanlock.client;

import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.ResourceFlags;

/** READ_LOCKSPACE result: the lockspace as stored (name, host id, disk, ALIGN|SECTOR flags) and its io_timeout. */
public record LockspaceInfo(Lockspace lockspace, int ioTimeout) {
    public int sectorSize() {
        return ResourceFlags.sectorSize(lockspace.flags());
    }

    public long alignSize() {
        return ResourceFlags.alignSize(lockspace.flags());
    }
}
