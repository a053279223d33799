package io.jsanlock.dist.direct;

import io.jsanlock.testkit.Async;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Runs bin/jsanlock (the packaged jar) and the reference sanlock side by side.
 * Output is read as Latin-1 so that every byte compares. The reference must
 * be installed (../shared/peer/install.sh): without it these tests fail.
 */
final class Tools {
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Tools() {
    }

    static Path repo() {
        return Path.of(System.getProperty("jsanlock.repo", "..")).toAbsolutePath().normalize();
    }

    static Path shared() {
        Path p = Path.of(System.getProperty("jsanlock.shared", "../../shared")).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            return p;
        }
        for (Path a = repo(); a != null; a = a.getParent()) {
            if (Files.isDirectory(a.resolve("shared/vectors"))) {
                return a.resolve("shared");
            }
        }
        throw new AssertionError("../shared not found");
    }

    /** The reference binary; fails the test when it is not installed. */
    static String sanlock() {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin")) {
            if (Files.isExecutable(Path.of(d, "sanlock"))) {
                return d + "/sanlock";
            }
        }
        throw new AssertionError("the reference sanlock is not installed: run ../shared/peer/install.sh");
    }

    static Result jsanlock(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo().resolve("bin/jsanlock").toString());
        cmd.addAll(List.of(args));
        return run(cwd, cmd);
    }

    /** bin/jsanlock with JSANLOCK_EXPLAIN=1: failures explained on stderr. */
    static Result jsanlockExplaining(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo().resolve("bin/jsanlock").toString());
        cmd.addAll(List.of(args));
        return run(cwd, cmd, true);
    }

    static Result reference(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(sanlock());
        cmd.addAll(List.of(args));
        return run(cwd, cmd);
    }

    static Result run(Path cwd, List<String> cmd) {
        return run(cwd, cmd, false);
    }

    static Result run(Path cwd, List<String> cmd, boolean explain) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().remove("JSANLOCK_EXPLAIN");
        if (explain) {
            pb.environment().put("JSANLOCK_EXPLAIN", "1");
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Async.executor());
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Async.executor());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    static Path vector(Path dir, String name) throws IOException {
        Path out = dir.resolve(name + ".img");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(shared().resolve("vectors/" + name + ".img.gz")))) {
            Files.write(out, in.readAllBytes());
        }
        return out;
    }

    static List<String> vectorNames() throws IOException {
        try (var s = Files.list(shared().resolve("vectors"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".img.gz"))
                    .map(n -> n.substring(0, n.length() - 7)).sorted().toList();
        }
    }

    static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static void truncate(Path f, long size) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
            if (size > 0) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
            }
        }
    }
}
