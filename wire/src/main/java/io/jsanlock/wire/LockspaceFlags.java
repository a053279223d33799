package io.jsanlock.wire;

/** {@code SANLK_LSF_*} flags of {@code sanlk_lockspace.flags} (wire.md 3.4); align/sector bits as in {@link ResourceFlags}. */
public final class LockspaceFlags {
    private LockspaceFlags() {}

    /** GET_LOCKSPACES: the lockspace is being joined. */
    public static final int ADD = 0x1;
    /** GET_LOCKSPACES: the lockspace is being left. */
    public static final int REM = 0x2;
}
