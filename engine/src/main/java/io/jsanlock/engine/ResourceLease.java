package io.jsanlock.engine;

import io.jsanlock.format.ResourceSpec;

/**
 * A resource lease this engine holds for one holder. Immutable; validity is
 * tracked by the engine ({@link LeaseEngine#isHeld}).
 *
 * @param lockspace lockspace name
 * @param resource resource name
 * @param path lease storage path
 * @param offset byte offset of the lease area
 * @param mode exclusive or shared
 * @param lver the lease version acquired (what inquire prints)
 * @param hostId my host id in the lockspace
 * @param generation my generation in the lockspace
 * @param id engine-unique handle number
 */
public record ResourceLease(String lockspace, String resource, String path, long offset, LeaseMode mode, long lver,
                            long hostId, long generation, long id) {

    /** The resource as sanlock's inquire prints it: {@code LS:R:path:offset:lver} or {@code ...:SH}. */
    public String toResourceString() {
        ResourceSpec s = new ResourceSpec(lockspace, resource, java.util.List.of(new ResourceSpec.Disk(path, offset)),
                lver, mode == LeaseMode.EXCLUSIVE, mode == LeaseMode.SHARED);
        return s.toString();
    }
}
