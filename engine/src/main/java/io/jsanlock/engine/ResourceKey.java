package io.jsanlock.engine;

/** A resource's identity on this host: lockspace name and resource name (as the reference keys its resources). */
record ResourceKey(String lockspace, String resource) {
    // equals and hashCode written out: a record's generated ones are bound through
    // ObjectMethods' method handles, which C1 (the daemon's only compiler, bin/env.sh) does
    // not inline; these keys are looked up on every acquire and release (JFR profile,
    // docs/benchmarks.md). Same contract: both components, by value.
    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceKey k && java.util.Objects.equals(lockspace, k.lockspace) && java.util.Objects.equals(resource, k.resource);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hashCode(lockspace) + java.util.Objects.hashCode(resource);
    }
}
