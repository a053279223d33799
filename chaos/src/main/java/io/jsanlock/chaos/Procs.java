package io.jsanlock.chaos;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Processes in process groups. Java cannot call setpgid before exec, so a one-line
 * python3 wrapper puts the new process into the group and then execs the real command
 * (same pid): a host's daemon leads a fresh group, its guests join that group, and
 * the harness (in neither) can stop, continue or kill a whole host with one signal.
 */
final class Procs {
    private Procs() {}

    private static final String SETPGID_EXEC =
            "import os,sys; os.setpgid(0,int(sys.argv[1])); os.execvp(sys.argv[2], sys.argv[2:])";

    /** Starts {@code cmd} in process group {@code pgid} (0: a new group led by the process). */
    static Process startInGroup(long pgid, List<String> cmd, Map<String, String> env, Path log) throws IOException {
        // the system python directly: a version-manager shim (pyenv) adds a slow bash stage first
        String python = java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        List<String> full = new ArrayList<>(List.of(python, "-c", SETPGID_EXEC, Long.toString(pgid)));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** A JVM command line running {@code mainClass} on the harness's class path, small and quick to start. */
    static List<String> java(String classPath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Xmx64m", "-cp", classPath, mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /** Sends {@code signal} (STOP, CONT, KILL, TERM) to every process of group {@code pgid}. */
    static void signalGroup(long pgid, String signal) {
        run("kill", "-" + signal, "--", "-" + pgid);
    }

    static void signal(long pid, String signal) {
        run("kill", "-" + signal, Long.toString(pid));
    }

    /** Runs a short command; returns its exit status (-1 when it could not run or took over 30 s). */
    static int run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Runs a command and returns its first output line (or null). */
    static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
