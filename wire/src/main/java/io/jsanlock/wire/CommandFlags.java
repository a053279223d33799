package io.jsanlock.wire;

/** Values of {@code sm_header.cmd_flags} per command (wire.md 4.0). */
public final class CommandFlags {
    private CommandFlags() {}

    public static final int ADD_ASYNC = 0x1;
    public static final int REM_ASYNC = 0x1;
    public static final int REM_UNUSED = 0x2;
    public static final int INQ_WAIT = 0x1;

    public static final int ACQUIRE_LVB = 0x1;
    public static final int ACQUIRE_ORPHAN = 0x2;
    public static final int ACQUIRE_ORPHAN_ONLY = 0x4;
    public static final int ACQUIRE_OWNER_NOWAIT = 0x8;

    public static final int REL_ALL = 0x1;
    public static final int REL_RENAME = 0x2;
    public static final int REL_ORPHAN = 0x4;

    public static final int RESTRICT_ALL = 0x1;
    public static final int RESTRICT_SIGKILL = 0x2;
    public static final int RESTRICT_SIGTERM = 0x4;

    public static final int REQUEST_NEXT_LVER = 0x1;
    /** REQUEST force modes, sent in {@code data}. */
    public static final int REQ_FORCE = 1;
    public static final int REQ_GRACEFUL = 2;

    public static final int KILLPATH_PID = 0x1;
    public static final int WRITE_CLEAR = 0x1;
    public static final int CONVERT_OWNER_NOWAIT = 0x8;

    public static final int SETEV_CUR_GENERATION = 0x1;
    public static final int SETEV_CLEAR_HOSTID = 0x2;
    public static final int SETEV_CLEAR_EVENT = 0x4;
    public static final int SETEV_REPLACE_EVENT = 0x8;
    public static final int SETEV_ALL_HOSTS = 0x10;

    /** SET_CONFIG commands, sent in {@code data}. */
    public static final int CONFIG_USED = 1;
    public static final int CONFIG_UNUSED = 2;
    public static final int CONFIG_USED_BY_ORPHANS = 4;
    public static final int CONFIG_UNUSED_BY_ORPHANS = 8;

    public static final int RXUP_ADD = 0x10000;
    public static final int RXUP_REM = 0x20000;
    public static final int RX_NO_LOCKSPACE = 0x1;
}
