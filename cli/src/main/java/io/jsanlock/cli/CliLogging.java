package io.jsanlock.cli;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where the library's log records (System.Logger, i.e. java.util.logging) go in a
 * {@code direct}/{@code client} command: nowhere by default, because sanlock prints
 * nothing of the kind and scripts check stderr; with explanations asked for, to stderr as
 * one {@code jsanlock: <message>} line each (never JUL's two-line default format).
 */
final class CliLogging {
    private CliLogging() {
    }

    /** Call once, before any logger is used. */
    static void route(boolean explain, PrintStream stderr) {
        if (!explain) {
            // An empty configuration: the root logger gets no console handler. LogManager
            // reads it lazily, so a command that logs nothing pays nothing for this.
            if (System.getProperty("java.util.logging.config.file") == null
                    && System.getProperty("java.util.logging.config.class") == null) {
                System.setProperty("java.util.logging.config.file", "/dev/null");
            }
            return;
        }
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    stderr.println("jsanlock: " + new java.util.logging.SimpleFormatter().formatMessage(r));
                }
            }

            @Override
            public void flush() {
                stderr.flush();
            }

            @Override
            public void close() {
                flush();
            }
        };
        h.setLevel(Level.WARNING);
        root.addHandler(h);
    }
}
