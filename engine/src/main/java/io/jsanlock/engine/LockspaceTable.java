package io.jsanlock.engine;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.lease.Timeouts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lockspaces of this host by name (sanlock's list of lockspaces in {@code lockspace.c}):
 * registration with the reference's conflict codes, lookups, and the monitor's pass over all
 * of them. A lockspace takes itself out of the table once it is gone.
 */
final class LockspaceTable {
    private final EngineContext ctx;
    private final ResourceTable resources;
    private final ConcurrentHashMap<String, Lockspace> byName = new ConcurrentHashMap<>();

    LockspaceTable(EngineContext ctx, ResourceTable resources) {
        this.ctx = ctx;
        this.resources = resources;
    }

    /**
     * A new JOINING lockspace for {@code spec}, or the reference's refusal: -17 already joined,
     * -115 being joined, -11 being removed, -22 another host_id or disk, or its disk area
     * already holding another lockspace.
     */
    Lockspace register(LockspaceSpec spec, Timeouts mine) throws SanlockException {
        synchronized (byName) {
            Lockspace old = byName.get(spec.name());
            if (old != null) {
                old.refuseAnotherJoin(spec);
            }
            for (Lockspace o : byName.values()) {
                if (o.spec.path().equals(spec.path()) && o.spec.offset() == spec.offset()) {
                    throw new SanlockException(SanlockError.EINVAL, "disk " + spec.path() + ":" + spec.offset()
                            + " already holds lockspace " + o.name());
                }
            }
            Lockspace[] self = new Lockspace[1];
            self[0] = new Lockspace(spec, mine, ctx.storage.open(spec.path()), ctx, resources,
                    () -> byName.remove(spec.name(), self[0]));
            byName.put(spec.name(), self[0]);
            return self[0];
        }
    }

    /** The lockspace of that name in any state, or null. */
    @Nullable Lockspace get(String name) {
        return byName.get(name);
    }

    /** The lockspace, if leases may be granted in it (JOINED or FAILING); else -28. */
    Lockspace joined(String name) throws SanlockException {
        Lockspace ls = byName.get(name);
        if (ls == null || !ls.grants()) {
            throw new SanlockException(SanlockError.ENOSPC, "lockspace " + name + " is not joined"
                    + (ls == null ? "" : " (" + ls.state() + ")"));
        }
        return ls;
    }

    List<Lockspace> all() {
        return new ArrayList<>(byName.values());
    }

    /** One monitor tick: every lockspace's check; one failing check stops neither the others nor the next tick. */
    void checkAll() {
        for (Lockspace ls : byName.values()) {
            try {
                ls.check();
            } catch (RuntimeException e) {
                ctx.log.logf("s%s monitor error %s", ls.name(), e);
            }
        }
    }
}
