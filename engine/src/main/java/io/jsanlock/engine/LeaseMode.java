package io.jsanlock.engine;

/** How a resource lease is held: one exclusive owner, or any number of shared holders. */
public enum LeaseMode {
    EXCLUSIVE, SHARED
}
