package io.jsanlock.client;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.Command;

/** Turns a daemon result code into an exception whose message names the command and the code. */
final class Results {
    private Results() {}

    static SanlockException failure(Command cmd, int code) {
        SanlockError e = SanlockError.ofCode(code);
        String name = e == null ? "" : " (" + e.symbol() + ")";
        return new SanlockException(code, cmd.name().toLowerCase(java.util.Locale.ROOT) + " failed: " + code + name, null);
    }
}
