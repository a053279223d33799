package io.jsanlock.dist.cli;

import io.jsanlock.dist.LeaseDaemonProcess;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One lease daemon (one host) in its own run directory, for the end-to-end CLI tests:
 * {@link LeaseDaemonProcess} (the reference from shared/peer/start-daemon.sh, or
 * {@code bin/jsanlock daemon} with the same options) with the tests' failure style. The
 * parity tests are parameterised on the kind so both daemons are checked the same way.
 * Killed by pid in {@link #close}.
 */
public final class TestDaemon implements AutoCloseable {
    public enum Kind { REFERENCE, JSANLOCK }

    final Kind kind;
    public final Path runDir;
    final long pid;
    private final LeaseDaemonProcess process;

    private TestDaemon(Kind kind, LeaseDaemonProcess process) {
        this.kind = kind;
        this.runDir = process.runDir();
        this.pid = process.pid();
        this.process = process;
    }

    public static TestDaemon start(Kind kind, Path runDir, String hostName) {
        Run.requireReference();
        LeaseDaemonProcess.Launchers launchers = new LeaseDaemonProcess.Launchers(
                List.of(Run.JSANLOCK.toString(), "daemon"), Run.shared().resolve("peer/start-daemon.sh"));
        try {
            return new TestDaemon(kind, LeaseDaemonProcess.start(kind == Kind.REFERENCE
                    ? LeaseDaemonProcess.Kind.REFERENCE : LeaseDaemonProcess.Kind.JSANLOCK, launchers, runDir, hostName, 30));
        } catch (java.io.IOException e) {
            throw new AssertionError(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while starting the " + kind + " daemon", e);
        }
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " daemon";
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
