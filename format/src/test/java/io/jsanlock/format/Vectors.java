package io.jsanlock.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Loads the reference-written vectors from ../shared/vectors. */
final class Vectors {
    private Vectors() {
    }

    /** ../shared beside the checkout; from a worktree deeper down, the nearest ancestor's shared/. */
    static Path shared() {
        Path p = Path.of(System.getProperty("jsanlock.shared", "../../shared")).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            return p;
        }
        for (Path a = p.getParent(); a != null; a = a.getParent()) {
            if (Files.isDirectory(a.resolve("shared/vectors"))) {
                return a.resolve("shared");
            }
        }
        return p;
    }

    static Path dir() {
        Path d = shared().resolve("vectors");
        if (!Files.isDirectory(d)) {
            throw new AssertionError("vectors not found at " + d.toAbsolutePath() + " (set -Djsanlock.shared)");
        }
        return d;
    }

    static ByteBuffer load(String name) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir().resolve(name + ".img.gz")))) {
            return ByteBuffer.wrap(in.readAllBytes());
        } catch (IOException e) {
            throw new AssertionError("cannot read vector " + name, e);
        }
    }
}
