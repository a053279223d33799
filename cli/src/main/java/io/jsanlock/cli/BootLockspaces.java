package io.jsanlock.cli;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.wire.Lockspace;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jsanlock-lockspaces join}: joins, one after the other, the lockspaces listed in
 * /etc/jsanlock/lockspaces.conf ({@code $JSANLOCK_LOCKSPACES} names another file), as
 * jsanlock-lockspaces.service does at boot after the daemon started. A separate command
 * rather than a jsanlock word, so {@code jsanlock}'s command line stays sanlock's.
 *
 * <p>Each line is {@code NAME:HOST_ID:PATH:OFFSET [IO_TIMEOUT]}; '#' starts a comment. A join
 * that fails for a reason that can pass at boot (daemon not listening yet, storage not there
 * yet, an I/O error) is retried; a lockspace already joined counts as joined. Exit status 0
 * when every listed lockspace is joined, else 1.
 */
public final class BootLockspaces {
    static final Path DEFAULT_FILE = Path.of("/etc/jsanlock/lockspaces.conf");

    /** Tests name the file here instead of through the environment. */
    static volatile Path fileOverride;

    private BootLockspaces() {}

    /** One line of the file. */
    record Entry(int line, String spec, Lockspace lockspace, int ioTimeout) {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, new SanlockClient(), 5, 6_000));
    }

    static String usage() {
        return """
                Usage: jsanlock-lockspaces join|list [--help]
                  join    join every lockspace of the file, in order, with retries
                  list    check the file and print its lockspaces
                The file: /etc/jsanlock/lockspaces.conf ($JSANLOCK_LOCKSPACES names another), one per line:
                  NAME:HOST_ID:PATH:OFFSET [IO_TIMEOUT]
                (the LOCKSPACE of `jsanlock client add_lockspace -s` and its -o io timeout in seconds,
                default 10). A join waits for its slot: 2 x io_timeout after writing it, and first up to
                8 x io_timeout + 60 s more when another host name last held the slot.
                """;
    }

    static int run(String[] args, PrintStream out, PrintStream err, SanlockClient client, int attempts, long retryMillis) {
        if (args.length != 1 || !(args[0].equals("join") || args[0].equals("list"))) {
            (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) ? out : err).print(usage());
            return args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 1;
        }
        String env = System.getenv("JSANLOCK_LOCKSPACES");
        Path file = fileOverride != null ? fileOverride : env != null && !env.isEmpty() ? Path.of(env) : DEFAULT_FILE;
        List<Entry> entries = new ArrayList<>();
        int bad = 0;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).replaceFirst("#.*", "").strip();
                if (l.isEmpty()) {
                    continue;
                }
                String[] f = l.split("\\s+");
                try {
                    int ioTimeout = f.length > 1 ? Integer.parseInt(f[1]) : 0;
                    if (f.length > 2 || ioTimeout < 0) {
                        throw new NumberFormatException();
                    }
                    Lockspace ls = io.jsanlock.wire.ResourceStrings.parseLockspace(f[0]);
                    if (ls.hostId() < 1 || ls.hostId() > 2000) {
                        err.println(file + ":" + (i + 1) + ": host_id must be 1..2000: " + l);
                        bad++;
                        continue;
                    }
                    entries.add(new Entry(i + 1, f[0], ls, ioTimeout));
                } catch (NumberFormatException e) {
                    err.println(file + ":" + (i + 1) + ": expected NAME:HOST_ID:PATH:OFFSET [IO_TIMEOUT]: " + l);
                    bad++;
                }
            }
        } catch (NoSuchFileException e) {
            out.println("no " + file + ": no lockspace to join");
            return 0;
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        if (args[0].equals("list")) {
            for (Entry e : entries) {
                out.println(e.spec() + " io_timeout " + (e.ioTimeout() == 0 ? 10 : e.ioTimeout()));
            }
            return bad == 0 ? 0 : 1;
        }
        int failed = bad;
        for (Entry e : entries) {
            if (!join(e, out, client, attempts, retryMillis)) {
                failed++;
            }
        }
        out.println(entries.size() - (failed - bad) + " of " + (entries.size() + bad) + " lockspaces joined");
        return failed == 0 ? 0 : 1;
    }

    private static boolean join(Entry e, PrintStream out, SanlockClient client, int attempts, long retryMillis) {
        int io = e.ioTimeout() == 0 ? 10 : e.ioTimeout();
        String name = e.lockspace().name();
        out.println(name + ": joining as host_id " + e.lockspace().hostId() + " (io_timeout " + io + "): waiting " + 2 * io
                + " s after writing the slot (2 x the io_timeout the slot was last written with, if longer),"
                + " and first up to " + (8 * io + 60) + " s if another host name last held it");
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            try {
                client.addLockspace(e.lockspace(), e.ioTimeout(), false);
                out.printf("%s: joined in %.1f s%n", name, (System.nanoTime() - start) / 1e9);
                return true;
            } catch (SanlockException x) {
                if (x.code() == -17) {
                    out.println(name + ": already joined");
                    return true;
                }
                String why = x.code() != 0 ? "error " + x.code() + (x.getMessage() != null ? " (" + x.getMessage() + ")" : "")
                        : String.valueOf(x.getMessage());
                if (attempt >= attempts) {
                    out.println(name + ": not joined after " + attempt + " attempts: " + why);
                    return false;
                }
                out.println(name + ": attempt " + attempt + " failed: " + why + "; retrying in " + (retryMillis >= 1000 ? retryMillis / 1000 + " s" : retryMillis + " ms"));
                try {
                    Thread.sleep(retryMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }
}
