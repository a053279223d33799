package io.jsanlock.client;

/** Answer of INQ_LOCKSPACE: 0 joined, -115 joining or leaving, -2 unknown (python: True / None / False). */
public enum LockspaceState {
    JOINED, IN_PROGRESS, ABSENT
}
