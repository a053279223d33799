package io.jsanlock.dist.cli;

import io.jsanlock.testkit.Reference;
import io.jsanlock.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs {@code sanlock} or {@code bin/jsanlock} (or anything) to completion and captures its output (tests only). */
public final class Run {
    static final Path REPO = Path.of(System.getProperty("jsanlock.repo", ".")).toAbsolutePath();
    static final Path SANLOCK = Path.of("/usr/sbin/sanlock");
    static final Path JSANLOCK = REPO.resolve("bin/jsanlock");

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Run() {
    }

    /** The reference is the oracle of these tests: without it they fail, they do not skip. */
    static void requireReference() {
        if (!Files.isExecutable(SANLOCK)) {
            throw new AssertionError("reference sanlock missing at " + SANLOCK + " (run shared/peer/install.sh)");
        }
        if (!Files.isExecutable(JSANLOCK)) {
            throw new AssertionError("bin/jsanlock missing at " + JSANLOCK);
        }
    }

    static Path shared() {
        return Reference.shared();
    }

    static Result sanlock(Path runDir, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(SANLOCK.toString());
        cmd.addAll(args);
        return cmd(runDir, cmd);
    }

    static Result jsanlock(Path runDir, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(JSANLOCK.toString());
        cmd.addAll(args);
        return cmd(runDir, cmd);
    }

    /** Runs {@code cmd} with SANLOCK_RUN_DIR = runDir (when not null). */
    public static Result cmd(Path runDir, List<String> cmd) {
        return cmd(runDir, cmd, 90);
    }

    /** {@link #cmd(Path, List)} with its own time limit. */
    public static Result cmd(Path runDir, List<String> cmd, int timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            // Read on threads of their own: on the common pool (one thread on two cores) a
            // caller that is itself a pool task would wait for readers that never start, and
            // a command printing more than a pipe's 64 KiB would block forever.
            CompletableFuture<String> out = readAsync(p.getInputStream());
            CompletableFuture<String> err = readAsync(p.getErrorStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        }
    }

    /** Starts {@code cmd} in the background (stdout/stderr discarded). */
    static Process start(Path runDir, List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + cmd + ": " + e, e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> f.complete(read(in)));
        return f;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** Whether {@code cond} holds within {@code millis} (the kit's await). */
    static boolean await(long millis, java.util.function.BooleanSupplier cond) {
        return Await.holdsWithin(java.time.Duration.ofMillis(millis), cond::getAsBoolean);
    }

    static Map<String, String> env(Path runDir) {
        return Map.of("SANLOCK_RUN_DIR", runDir.toString());
    }
}
