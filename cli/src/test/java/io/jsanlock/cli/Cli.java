package io.jsanlock.cli;

import io.jsanlock.testkit.Reference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/** Runs {@link Main} in-process and gives tests the shared vectors. */
final class Cli {
    record Result(int exit, String out, String err) {
    }

    private Cli() {
    }

    /** Runs with explanations on (as with JSANLOCK_EXPLAIN=1), so tests can check them. */
    static Result run(String... args) {
        return run(true, args);
    }

    static Result run(boolean explain, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(o, true, StandardCharsets.ISO_8859_1);
        PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8);
        int rc = Main.run(args, out, err, explain);
        out.flush();
        return new Result(rc, o.toString(StandardCharsets.ISO_8859_1), e.toString(StandardCharsets.UTF_8));
    }

    /** ../shared beside the checkout (the test kit's one answer to where it is). */
    static Path shared() {
        return Reference.shared();
    }

    /** Unpacks vector {@code name} (without .img.gz) to {@code dir/name.img}. */
    static Path vector(Path dir, String name) throws IOException {
        Path out = dir.resolve(name + ".img");
        if (!Files.exists(out)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(shared().resolve("vectors/" + name + ".img.gz")))) {
                Files.write(out, in.readAllBytes());
            }
        }
        return out;
    }

    static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
