package io.jsanlock.base;

import org.jspecify.annotations.Nullable;

import java.util.HashMap;
import java.util.Map;

/**
 * The result codes sanlock 3.8.5 puts on the wire and prints ("acquire done -243"):
 * its own -2xx codes and the negated errno values it uses. Every layer of jsanlock
 * reports failure with one of these, so a jsanlock host and a sanlock host say the
 * same thing about the same event (spec: algorithms.md section 5).
 */
public enum SanlockError {
    // sanlock-specific codes
    ERROR(-201, "SANLK_ERROR"),
    AIO_TIMEOUT(-202, "SANLK_AIO_TIMEOUT"),
    WD_ERROR(-203, "SANLK_WD_ERROR"),
    DBLOCK_READ(-210, "SANLK_DBLOCK_READ"),
    DBLOCK_WRITE(-211, "SANLK_DBLOCK_WRITE"),
    DBLOCK_LVER(-212, "SANLK_DBLOCK_LVER"),
    DBLOCK_MBAL(-213, "SANLK_DBLOCK_MBAL"),
    DBLOCK_CHECKSUM(-214, "SANLK_DBLOCK_CHECKSUM"),
    LEADER_READ(-220, "SANLK_LEADER_READ"),
    LEADER_WRITE(-221, "SANLK_LEADER_WRITE"),
    LEADER_DIFF(-222, "SANLK_LEADER_DIFF"),
    LEADER_MAGIC(-223, "SANLK_LEADER_MAGIC"),
    LEADER_VERSION(-224, "SANLK_LEADER_VERSION"),
    LEADER_SECTORSIZE(-225, "SANLK_LEADER_SECTORSIZE"),
    LEADER_LOCKSPACE(-226, "SANLK_LEADER_LOCKSPACE"),
    LEADER_RESOURCE(-227, "SANLK_LEADER_RESOURCE"),
    LEADER_NUMHOSTS(-228, "SANLK_LEADER_NUMHOSTS"),
    LEADER_CHECKSUM(-229, "SANLK_LEADER_CHECKSUM"),
    ADDLS_SIZES(-230, "SANLK_ADDLS_SIZES"),
    ADDLS_INVALID_HOSTID(-231, "SANLK_ADDLS_INVALID_HOSTID"),
    ACQUIRE_LVER(-240, "SANLK_ACQUIRE_LVER"),
    ACQUIRE_LOCKSPACE(-241, "SANLK_ACQUIRE_LOCKSPACE"),
    ACQUIRE_IDDISK(-242, "SANLK_ACQUIRE_IDDISK"),
    ACQUIRE_IDLIVE(-243, "SANLK_ACQUIRE_IDLIVE"),
    ACQUIRE_OWNED(-244, "SANLK_ACQUIRE_OWNED"),
    ACQUIRE_OTHER(-245, "SANLK_ACQUIRE_OTHER"),
    ACQUIRE_SHRETRY(-246, "SANLK_ACQUIRE_SHRETRY"),
    ACQUIRE_OWNED_RETRY(-247, "SANLK_ACQUIRE_OWNED_RETRY"),
    RELEASE_LVER(-250, "SANLK_RELEASE_LVER"),
    RELEASE_OWNER(-251, "SANLK_RELEASE_OWNER"),
    RENEW_OWNER(-260, "SANLK_RENEW_OWNER"),
    RENEW_DIFF(-261, "SANLK_RENEW_DIFF"),
    HOSTID_BUSY(-262, "SANLK_HOSTID_BUSY"),
    REQUEST_MAGIC(-270, "SANLK_REQUEST_MAGIC"),
    REQUEST_VERSION(-271, "SANLK_REQUEST_VERSION"),
    REQUEST_OLD(-272, "SANLK_REQUEST_OLD"),
    REQUEST_LVER(-273, "SANLK_REQUEST_LVER"),
    RINDEX_MAGIC(-274, "SANLK_RINDEX_MAGIC"),
    RINDEX_VERSION(-275, "SANLK_RINDEX_VERSION"),
    RINDEX_LOCKSPACE(-276, "SANLK_RINDEX_LOCKSPACE"),
    RINDEX_OFFSET(-277, "SANLK_RINDEX_OFFSET"),
    RINDEX_DIFF(-278, "SANLK_RINDEX_DIFF"),
    // negated errno values sanlock uses
    EPERM(-1, "EPERM"),
    ENOENT(-2, "ENOENT"),
    ESRCH(-3, "ESRCH"),
    EIO(-5, "EIO"),
    E2BIG(-7, "E2BIG"),
    EBADF(-9, "EBADF"),
    EAGAIN(-11, "EAGAIN"),
    ENOMEM(-12, "ENOMEM"),
    EACCES(-13, "EACCES"),
    EBUSY(-16, "EBUSY"),
    EEXIST(-17, "EEXIST"),
    ENODEV(-19, "ENODEV"),
    EINVAL(-22, "EINVAL"),
    ENOTTY(-25, "ENOTTY"),
    ENOSPC(-28, "ENOSPC"),
    ERANGE(-34, "ERANGE"),
    ENOSYS(-38, "ENOSYS"),
    ENAMETOOLONG(-36, "ENAMETOOLONG"),
    ELIBACC(-79, "ELIBACC"),
    ELIBBAD(-80, "ELIBBAD"),
    ELIBSCN(-81, "ELIBSCN"),
    EMSGSIZE(-90, "EMSGSIZE"),
    EPROTO(-71, "EPROTO"),
    EOPNOTSUPP(-95, "EOPNOTSUPP"),
    ENOTCONN(-107, "ENOTCONN"),
    ETIMEDOUT(-110, "ETIMEDOUT"),
    EALREADY(-114, "EALREADY"),
    EINPROGRESS(-115, "EINPROGRESS"),
    ESTALE(-116, "ESTALE"),
    EUCLEAN(-117, "EUCLEAN"),
    ECANCELED(-125, "ECANCELED");

    private static final Map<Integer, SanlockError> BY_CODE = new HashMap<>();
    static {
        for (SanlockError e : values()) {
            BY_CODE.put(e.code, e);
        }
    }

    private final int code;
    private final String symbol;

    SanlockError(int code, String symbol) {
        this.code = code;
        this.symbol = symbol;
    }

    /** The negative value on the wire and in "... done N" output. */
    public int code() {
        return code;
    }

    /** sanlock's or errno's symbolic name, e.g. SANLK_ACQUIRE_IDLIVE. */
    public String symbol() {
        return symbol;
    }

    /** The error with this code, or null if sanlock has no name for it. */
    public static @Nullable SanlockError ofCode(int code) {
        return BY_CODE.get(code);
    }

    public SanlockException exception(String message) {
        return new SanlockException(this, message);
    }
}
