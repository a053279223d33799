package io.jsanlock.engine;

/**
 * How {@link LeaseEngine#setEvent} treats what is already being published (the
 * reference's SANLK_SETEV_REPLACE_EVENT, _CLEAR_HOSTID and _CLEAR_EVENT flags).
 *
 * @param replace     publish the new event even if a different one is still being published
 * @param clearHostId clear the target host's bit rather than set it
 * @param clearEvent  stop publishing the event fields rather than set them
 */
public record EventFlags(boolean replace, boolean clearHostId, boolean clearEvent) {
    public static final EventFlags NONE = new EventFlags(false, false, false);
}
