package io.jsanlock.engine;

/** A resource's identity on this host: lockspace name and resource name (as the reference keys its resources). */
record ResourceKey(String lockspace, String resource) {
}
