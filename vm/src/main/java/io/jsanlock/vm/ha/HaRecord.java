package io.jsanlock.vm.ha;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * What this host's agent knows about one HA domain, kept in {@code STATE_DIR/ha/NAME.state}
 * (replaced atomically) for {@code jvirsh list --ha} and {@code dominfo}, and for the agent
 * itself across restarts.
 *
 * @param where      where it runs as last seen: "here", "host N" or "nowhere"
 * @param since      when {@code where} last changed (epoch milliseconds; 0 unknown)
 * @param restarts   restarts this host made of it
 * @param ranHere    the agent saw it running here and has not yet seen how it stopped
 * @param blocked    why this host must not start it (lost to fencing here), or ""
 * @param clears     how many times an operator cleared a block (the agent notices the change)
 * @param decision   the agent's last decision about it, with its reason
 * @param decidedAt  when (epoch milliseconds)
 */
public record HaRecord(String where, long since, int restarts, boolean ranHere, String blocked, int clears,
        String decision, long decidedAt) {
    public static final HaRecord EMPTY = new HaRecord("unknown", 0, 0, false, "", 0, "", 0);

    static Path file(Path stateDir, String name) {
        return stateDir.resolve("ha").resolve(name + ".state");
    }

    public static HaRecord load(Path stateDir, String name) throws VirError {
        Path f = file(stateDir, name);
        if (!Files.exists(f)) {
            return EMPTY;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(f)));
            return new HaRecord(p.getProperty("where", "unknown"), Long.parseLong(p.getProperty("since", "0")),
                    Integer.parseInt(p.getProperty("restarts", "0")), Boolean.parseBoolean(p.getProperty("ranHere")),
                    p.getProperty("blocked", ""), Integer.parseInt(p.getProperty("clears", "0")),
                    p.getProperty("decision", ""), Long.parseLong(p.getProperty("decidedAt", "0")));
        } catch (IOException | NumberFormatException e) {
            throw new VirError(VirErrorCode.INTERNAL_ERROR, "cannot read " + f + ": " + e.getMessage());
        }
    }

    public void save(Path stateDir, String name) throws VirError {
        Path f = file(stateDir, name);
        Properties p = new Properties();
        p.setProperty("where", where);
        p.setProperty("since", Long.toString(since));
        p.setProperty("restarts", Integer.toString(restarts));
        p.setProperty("ranHere", Boolean.toString(ranHere));
        p.setProperty("blocked", blocked);
        p.setProperty("clears", Integer.toString(clears));
        p.setProperty("decision", decision);
        p.setProperty("decidedAt", Long.toString(decidedAt));
        StringWriter w = new StringWriter();
        try {
            p.store(w, "jvirsh HA state of " + name);
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".new");
            Files.writeString(tmp, w.toString());
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new VirError(VirErrorCode.SYSTEM_ERROR, "cannot write " + f + ": " + e.getMessage());
        }
    }

    public HaRecord withWhere(String w, long now) {
        return w.equals(where) ? this : new HaRecord(w, now, restarts, ranHere, blocked, clears, decision, decidedAt);
    }

    public HaRecord withDecision(String d, long now) {
        return new HaRecord(where, since, restarts, ranHere, blocked, clears, d, now);
    }

    public HaRecord withRestart() {
        return new HaRecord(where, since, restarts + 1, ranHere, blocked, clears, decision, decidedAt);
    }

    public HaRecord withState(boolean ran, String block) {
        return new HaRecord(where, since, restarts, ran, block, clears, decision, decidedAt);
    }

    /** The operator's clear: the block lifted, counted so a running agent notices. */
    public HaRecord cleared() {
        return new HaRecord(where, since, restarts, ranHere, "", clears + 1, decision, decidedAt);
    }
}
