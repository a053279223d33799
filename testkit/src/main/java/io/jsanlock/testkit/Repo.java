package io.jsanlock.testkit;

import java.nio.file.Path;

/** Where the checkout is, for tests that run its scripts: {@code -Djsanlock.repo} (set by the root pom). */
public final class Repo {
    private Repo() {
    }

    /** The repository root; without the property, the parent of the module directory tests run in. */
    public static Path root() {
        return Path.of(System.getProperty("jsanlock.repo", "..")).toAbsolutePath().normalize();
    }
}
