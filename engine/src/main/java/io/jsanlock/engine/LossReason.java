package io.jsanlock.engine;

/** Why a holder lost a lease without releasing it. */
public enum LossReason {
    /** The lockspace's renewals failed for 8N (or its slot was corrupted or taken). */
    LOCKSPACE_LOST,
    /** The lockspace is being removed (rem_lockspace kills holders at once). */
    LOCKSPACE_REMOVED,
    /** The engine is shutting down. */
    ENGINE_CLOSED
}
