package io.jsanlock.wire;

/** The size limits of sanlock 3.8.5's client protocol (wire.md section 3.10). */
public final class Limits {
    private Limits() {}

    /** Lockspace, resource, owner and host names: 48 bytes, no NUL needed when full. */
    public static final int NAME_LEN = 48;
    /** Disk paths: 1024 bytes including the NUL, so at most 1023 bytes of text. */
    public static final int PATH_LEN = 1024;
    /** Resources in one ACQUIRE/RELEASE (-E2BIG above). */
    public static final int MAX_RESOURCES = 8;
    /** Disks per resource (-ERANGE for 0 or above). */
    public static final int MAX_DISKS = 4;
    /** KILLPATH program path and argument string, each including the NUL. */
    public static final int KILLPATH_FIELD_LEN = 128;
    /** One lease in a state string. */
    public static final int MAX_RESOURCE_STATE_LEN = 4400;
    /** Text of one status record, including its NUL. */
    public static final int MAX_STATE_TEXT_LEN = 4096;
    /** The daemon's in-memory log that LOG_DUMP returns. */
    public static final int LOG_DUMP_MAX = 1024 * 1024;
    /** Event channels per lockspace. */
    public static final int MAX_EVENT_FDS = 32;
    /** Largest lock value block. */
    public static final int MAX_LVB_LEN = 4096;
    /** Host ids per lockspace. */
    public static final int MAX_HOSTS = 2000;
    /** GET_LOCKSPACES / GET_HOSTS reply bodies are capped at 1 MiB by the reference (-28 beyond). */
    public static final int MAX_REPLY_BODY = 1024 * 1024;
    /**
     * Upper bound for an INQUIRE state string accepted by the client. A client's token
     * table grows without a fixed limit, so this is our own sanity cap against a lying
     * length: 1 MiB is over 200 leases of the maximum 4400 bytes each.
     */
    public static final int MAX_INQUIRE_STATE = 1024 * 1024;
    /** Connection slots the reference daemon has (incl. its 2 internal ones). */
    public static final int MAX_CONNECTIONS = 1024;
    /** Daemon version number reported by VERSION: 3.8.5. */
    public static final int DAEMON_VERSION = 0x03080500;
    /** Socket protocol version, 0.1, sent in every header's version field. */
    public static final int PROTOCOL_VERSION = 0x00000001;
}
