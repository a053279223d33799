package io.jsanlock.wire;

/**
 * jsanlock's own events on a REG_EVENT channel, for clients that ask for them (docs/metrics.md).
 *
 * <p>A client asks with {@link #REG_RENEWAL_EVENTS} in REG_EVENT's {@code cmd_flags}: sanlock 3.8.5
 * reads no REG_EVENT flag, so against the reference the channel is an ordinary one. A channel
 * registered without the bit never gets these records, so clients written for sanlock (lvmlockd,
 * vdsm, python3-sanlock's get_event), which treat every record as an event another host set, see
 * exactly sanlock's stream.
 *
 * <p>The record is the ordinary 80-byte callback record (wire.md 3.8), sent by this host about
 * itself: {@code host_id}, {@code generation}, {@code from_host_id} and {@code from_generation}
 * are this host's in the lockspace; {@code event} is {@link #RENEWAL_SLOW}; {@code data} packs the
 * headroom and the share of io_timeout used ({@link #slowData}).
 */
public final class JsanlockEvents {
    /** REG_EVENT cmd_flags bit: also deliver jsanlock's renewal events on this channel. */
    public static final int REG_RENEWAL_EVENTS = 0x4000_0000;
    /** A renewal used more than renewal_warn_percent of io_timeout ("JS" in the top bytes, then 1). */
    public static final long RENEWAL_SLOW = 0x4A53_0000_0000_0001L;

    private JsanlockEvents() {
    }

    /** {@code data} of a {@link #RENEWAL_SLOW} event: headroom seconds in the high 32 bits, percent used in the low. */
    public static long slowData(long headroomSeconds, int percentUsed) {
        return (headroomSeconds << 32) | (percentUsed & 0xFFFF_FFFFL);
    }

    /** The headroom (seconds left before this host's holders are killed) in a {@link #RENEWAL_SLOW} event's data. */
    public static long headroomSeconds(long data) {
        return data >> 32;
    }

    /** The share of io_timeout (percent) the slow renewal's read or write used. */
    public static int percentUsed(long data) {
        return (int) data;
    }
}
