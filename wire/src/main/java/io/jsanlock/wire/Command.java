package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

/** Command numbers of sanlock 3.8.5's client protocol (wire.md section 4.0). */
public enum Command {
    REGISTER(1, CommandClass.INLINE, "register"),
    ADD_LOCKSPACE(2, CommandClass.WORKER, "add_lockspace"),
    REM_LOCKSPACE(3, CommandClass.WORKER, "rem_lockspace"),
    SHUTDOWN(4, CommandClass.INLINE, "shutdown"),
    STATUS(5, CommandClass.INLINE, "status"),
    LOG_DUMP(6, CommandClass.INLINE, "log_dump"),
    ACQUIRE(7, CommandClass.REGISTERED, null),
    RELEASE(8, CommandClass.REGISTERED, null),
    INQUIRE(9, CommandClass.REGISTERED, null),
    RESTRICT(10, CommandClass.INLINE, null),
    REQUEST(11, CommandClass.WORKER, null),
    ALIGN(12, CommandClass.WORKER, null),
    EXAMINE_LOCKSPACE(13, CommandClass.WORKER, null),
    EXAMINE_RESOURCE(14, CommandClass.WORKER, null),
    HOST_STATUS(15, CommandClass.INLINE, "host_status"),
    INQ_LOCKSPACE(16, CommandClass.WORKER, "inq_lockspace"),
    KILLPATH(17, CommandClass.REGISTERED, null),
    WRITE_LOCKSPACE(18, CommandClass.WORKER, null),
    WRITE_RESOURCE(19, CommandClass.WORKER, null),
    READ_LOCKSPACE(20, CommandClass.WORKER, null),
    READ_RESOURCE(21, CommandClass.WORKER, null),
    GET_LOCKSPACES(22, CommandClass.INLINE, "get_lockspaces"),
    GET_HOSTS(23, CommandClass.INLINE, "get_hosts"),
    READ_RESOURCE_OWNERS(24, CommandClass.WORKER, null),
    SET_LVB(25, CommandClass.WORKER, null),
    GET_LVB(26, CommandClass.WORKER, null),
    CONVERT(27, CommandClass.REGISTERED, null),
    VERSION(28, CommandClass.INLINE, null),
    SHUTDOWN_WAIT(29, CommandClass.WORKER, null),
    REG_EVENT(30, CommandClass.INLINE, "reg_event"),
    END_EVENT(31, CommandClass.INLINE, "end_event"),
    SET_EVENT(32, CommandClass.WORKER, null),
    SET_CONFIG(33, CommandClass.INLINE, "set_config"),
    RENEWAL(34, CommandClass.INLINE, "renewal"),
    FORMAT_RINDEX(35, CommandClass.WORKER, null),
    UPDATE_RINDEX(36, CommandClass.WORKER, null),
    LOOKUP_RINDEX(37, CommandClass.WORKER, null),
    CREATE_RESOURCE(38, CommandClass.WORKER, null),
    DELETE_RESOURCE(39, CommandClass.WORKER, null),
    REBUILD_RINDEX(40, CommandClass.WORKER, null);

    private static final Command[] BY_NUMBER = new Command[41];
    static {
        for (Command c : values()) {
            BY_NUMBER[c.number] = c;
        }
    }

    private final int number;
    private final CommandClass commandClass;
    private final @Nullable String statusName;

    Command(int number, CommandClass commandClass, @Nullable String statusName) {
        this.number = number;
        this.commandClass = commandClass;
        this.statusName = statusName;
    }

    public int number() {
        return number;
    }

    public CommandClass commandClass() {
        return commandClass;
    }

    /**
     * The name the reference gives a connection in `client status` while serving this
     * command: a fixed word for inline and lockspace commands, else "cmd&lt;N&gt;".
     */
    public String statusName() {
        return statusName != null ? statusName : "cmd" + number;
    }

    /** The command with this number, or null for numbers the 3.8.5 daemon ignores. */
    public static @Nullable Command ofNumber(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    /** True when the reply goes back on the same connection and it stays open (worker/registered, plus REGISTER/RESTRICT/VERSION). */
    public boolean keepsConnectionOpen() {
        return commandClass != CommandClass.INLINE || this == REGISTER || this == RESTRICT || this == VERSION;
    }
}
