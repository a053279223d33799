package io.jsanlock.daemon;

import io.jsanlock.format.Geometry;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What status -D shows of each held lease (the reference's token): token_id numbers every
 * resource named by an ACQUIRE request of the daemon from 1 ({@link #takeTokenIds}); res_id
 * names the resource and reused counts how often a cached resource was taken up again.
 *
 * <p>sanlock 3.8.5 keeps a resource (its res_id) per lockspace after its last holder released
 * it, and takes it up again on the next acquire of that name (reused+1), a failed acquire
 * included; a new name takes the next daemon-wide res_id (the first is 2, a failed acquire
 * uses one up too). Removing the lockspace forgets its resources.
 */
final class TokenTable {
    /** One lease's token. */
    record Token(int tokenId, int resId, int reused, Geometry geometry) {
        static final Token NONE = new Token(0, 0, 0, Geometry.S512_A1M);
    }

    private static final class CachedResource {
        final int resId;
        int reused;
        /** Local holders, acquires in progress included: while above 0 an acquire shares the entry. */
        int holders;

        CachedResource(int resId) {
            this.resId = resId;
        }
    }

    /** An acquire in progress: the resource it holds in the cache (null outside a joined lockspace). */
    static final class Pending {
        private final CachedResource cached;
        private final int reused;

        private Pending(CachedResource cached, int reused) {
            this.cached = cached;
            this.reused = reused;
        }
    }

    /** Tokens of held leases, by the engine's lease id. */
    private final Map<Long, Token> tokens = new ConcurrentHashMap<>();
    /** Cached resources by lockspace and name; guarded, with the counters, by the table's monitor. */
    private final Map<String, Map<String, CachedResource>> resources = new HashMap<>();
    private int nextResId = 2;
    private int nextTokenId = 1;

    synchronized int takeTokenIds(int count) {
        int first = nextTokenId;
        nextTokenId += count;
        return first;
    }

    /** An acquire of {@code lockspace:name} begins; outside a joined lockspace the lockspace's cache is dropped. */
    synchronized Pending begin(String lockspace, String name, boolean joined) {
        if (!joined) {
            resources.remove(lockspace);
            return new Pending(null, 0);
        }
        Map<String, CachedResource> names = resources.computeIfAbsent(lockspace, k -> new HashMap<>());
        CachedResource cached = names.get(name);
        if (cached == null) {
            cached = new CachedResource(nextResId++);
            names.put(name, cached);
        } else if (cached.holders == 0) {
            cached.reused++;
        }
        cached.holders++;
        return new Pending(cached, cached.reused);
    }

    /** The acquire got lease {@code leaseId}. */
    void granted(Pending p, long leaseId, int tokenId, Geometry geometry) {
        tokens.put(leaseId, new Token(tokenId, p.cached == null ? 0 : p.cached.resId, p.reused, geometry));
    }

    /** The acquire failed: the resource stays cached, without this holder. */
    synchronized void failed(Pending p) {
        if (p.cached != null) {
            p.cached.holders--;
        }
    }

    /** Ends a lease's token: its resource stays cached with its res_id. */
    void drop(long leaseId, String lockspace, String name) {
        Token t = tokens.remove(leaseId);
        if (t == null) {
            return;
        }
        synchronized (this) {
            Map<String, CachedResource> names = resources.get(lockspace);
            CachedResource c = names == null ? null : names.get(name);
            if (c != null && c.resId == t.resId() && c.holders > 0) {
                c.holders--;
            }
        }
    }

    /** The token of lease {@code leaseId}, {@link Token#NONE} when there is none. */
    Token of(long leaseId) {
        return tokens.getOrDefault(leaseId, Token.NONE);
    }

    /** The lockspace was removed: its resources are forgotten. */
    synchronized void forget(String lockspace) {
        resources.remove(lockspace);
    }
}
