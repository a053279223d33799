package io.jsanlock.daemon;

import io.jsanlock.wire.Resource;

/**
 * A lease held by a registered client (the reference's "token"): the resource with its
 * disks, the mode and lease version it was acquired at, and the backend's own handle.
 *
 * @param persistent acquired with SANLK_RES_PERSISTENT: becomes an orphan, not released, when the client dies
 * @param lvb        acquired with ACQUIRE_LVB (SET_LVB/GET_LVB allowed)
 * @param handle     whatever the lease backend needs to release it
 */
public record HeldLease(Resource resource, boolean shared, long lver, boolean persistent, boolean lvb, Object handle) {

    /** Matching as RELEASE does it: 48-byte lockspace name + 48-byte resource name. */
    public boolean sameName(Resource r) {
        return resource.lockspace().equals(r.lockspace()) && resource.name().equals(r.name());
    }

    /** The resource as INQUIRE/state strings show it: disks, SHARED or the lver. */
    public Resource forState() {
        int flags = shared ? io.jsanlock.wire.ResourceFlags.SHARED : 0;
        return new Resource(resource.lockspace(), resource.name(), lver, 0, 0, flags, resource.disks().size(), resource.disks());
    }
}
