package io.jsanlock.vm.guest;

import io.jsanlock.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Identity and liveness of a guest process: its pid plus its start time (field 22 of
 * /proc/PID/stat), so a recycled pid is never mistaken for the guest.
 */
public record GuestProcess(long pid, long startTime) {
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;

    /** The process now running as {@code pid}, if any. */
    public static OptionalLong startTimeOf(long pid) {
        String[] f = statFields(pid);
        if (f == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(f[19]));
    }

    /** True while the process exists, is not a zombie, and is the one recorded. */
    public boolean alive() {
        String[] f = statFields(pid);
        if (f == null) {
            return false;
        }
        String state = f[0];
        return !state.equals("Z") && !state.equals("X") && Long.parseLong(f[19]) == startTime;
    }

    /** True while the process is stopped (SIGSTOP): a paused guest. */
    public boolean stopped() {
        String[] f = statFields(pid);
        return f != null && (f[0].equals("T") || f[0].equals("t"));
    }

    public boolean signal(int sig) {
        return alive() && !Posix.kill(pid, sig).failed();
    }

    public void terminate() {
        signal(SIGTERM);
    }

    public void kill() {
        signal(SIGKILL);
    }

    public void stop() {
        signal(SIGSTOP);
    }

    public void resume() {
        signal(SIGCONT);
    }

    /** Polls until the process is gone or {@code millis} have passed; true when gone. */
    public boolean awaitExit(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (alive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !alive();
            }
        }
        return true;
    }

    /** Fields of /proc/PID/stat after the command name: index 0 is the state (field 3). */
    private static String[] statFields(long pid) {
        String s;
        try {
            s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
        int close = s.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] f = s.substring(close + 2).trim().split(" ");
        return f.length > 19 ? f : null;
    }
}
