package io.jsanlock.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run behind {@code dist/target/jsanlock.aot}, the AOT cache that makes
 * {@code bin/jsanlock} start fast (JDK 25 {@code -XX:AOTCacheOutput}): runs the common
 * commands in-process so the classes they load (and their linkage) are recorded.
 * Client actions run against {@code SANLOCK_RUN_DIR} (an empty directory at build time:
 * the connection fails as "no daemon", after the whole socket path was loaded); direct
 * actions against a scratch file. Output is discarded. Not part of the CLI.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.ISO_8859_1);
        Path dir = Files.createTempDirectory("jsanlock-aot");
        Path f = dir.resolve("leases");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(2L << 20);
        }
        String[][] runs = {
            {"help"}, {"version"}, {"client", "version"}, {"client", "status"}, {"client", "status", "-D"},
            {"client", "gets", "-h", "1"}, {"client", "host_status"}, {"client", "inquire", "-p", "1"},
            {"client", "add_lockspace", "-s", "LS:1:" + f + ":0"}, {"client", "acquire", "-r", "LS:R:" + f + ":1M", "-p", "1"},
            {"client", "read", "-r", "LS:R:" + f + ":1M"}, {"client", "lookup", "-x", "LS:" + f + ":0"},
            {"client", "foo"}, {"client", "status", "-x"},
            {"direct", "init", "-s", "LS:0:" + f + ":0"}, {"direct", "init", "-r", "LS:R:" + f + ":1M"},
            {"direct", "read_leader", "-s", "LS:1:" + f + ":0"}, {"direct", "dump", f.toString()},
            {"direct", "dump", f.toString(), "--json"}, {"client", "status", "--json"},
            {"direct", "map", "-s", "LS:0:" + f + ":0", "-r", "LS:R:" + f + ":1M", "-W", "0"},
            {"direct", "map", "-s", "LS:0:" + f + ":0", "-r", "LS:R:" + f + ":1M", "-W", "0", "--json"},
        };
        for (String[] run : runs) {
            try {
                Main.run(run, sink, sink);
            } catch (RuntimeException e) {
                // training only: a failing run still loaded what it needed
            }
        }
        Files.deleteIfExists(f);
        Files.deleteIfExists(dir);
    }
}
