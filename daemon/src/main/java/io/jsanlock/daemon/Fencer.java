package io.jsanlock.daemon;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.wire.CommandFlags;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stops the processes holding leases that can no longer be trusted, on the reference's
 * schedule (algorithms.md 2.7, 3.8, 4.4):
 * <ul>
 * <li>lockspace lost (8N without renewal): every second, at most 100 times, each holder
 * gets its killpath program (run once) or SIGTERM until the kill deadline (8N + G after
 * the last renewal), then SIGKILL;</li>
 * <li>rem_lockspace (without UNUSED) and forced shutdown: SIGKILL at once, every second;</li>
 * <li>a REQUEST from another host: FORCE → SIGKILL, GRACEFUL → killpath (no pid
 * appended) or SIGTERM;</li>
 * </ul>
 * with the client's RESTRICT bits swapping SIGKILL↔SIGTERM. A holder is gone when its
 * registered connection closes; the daemon then releases its leases as for any exit.
 */
final class Fencer implements LeaseBackend.TroubleSink {
    static final int MAX_ATTEMPTS = 100;

    enum Signal { KILLPATH, TERM, KILL }

    /** How often a wait for holders to go looks again: their end is seen within 0.1 s (the reference notices it at once). */
    private static final long POLL_NANOS = 100_000_000L;

    private final Daemon d;
    /** All waits and deadlines are on the daemon's clock, so a test can run them on a manual one. */
    private final MonotonicClock clock;
    private final Map<String, Thread> recovering = new ConcurrentHashMap<>();
    private final Set<Client> killpathRun = ConcurrentHashMap.newKeySet();

    Fencer(Daemon d, MonotonicClock clock) {
        this.d = d;
        this.clock = clock;
    }

    /** Live registered clients holding a lease in {@code lockspace} (or only {@code resource} when not null). */
    List<Client> holders(String lockspace, String resource) {
        List<Client> out = new ArrayList<>();
        for (Client c : d.clients.all()) {
            if (c.liveHolderIn(lockspace, resource)) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public void lockspaceLost(String lockspace, long killDeadline) {
        recovering.computeIfAbsent(lockspace, ls -> Thread.ofVirtual().name("jsanlock-recovery-" + ls).start(() -> {
            try {
                recover(ls, killDeadline);
            } finally {
                recovering.remove(ls);
            }
        }));
    }

    private void recover(String ls, long killDeadline) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && !d.stopping(); attempt++) {
            List<Client> hs = holders(ls, null);
            if (hs.isEmpty()) {
                d.log.info(tag(ls) + " all pids clear");
                return;
            }
            boolean grace = clock.seconds() < killDeadline;
            for (Client c : hs) {
                boolean killpath = d.options.graceSeconds() > 0 && !c.killSettings().killpath().isEmpty();
                send(c, grace ? (killpath ? Signal.KILLPATH : Signal.TERM) : Signal.KILL, true, ls, attempt);
            }
            if (!sleepSecond()) {
                return;
            }
        }
        d.log.error(tag(ls) + " killing pids stuck after " + MAX_ATTEMPTS + " attempts");
    }

    /** SIGKILL every holder in the lockspace each second until none is left (rem_lockspace); returns whether all are gone. */
    boolean killForRemoval(String ls) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && !d.stopping(); attempt++) {
            List<Client> hs = holders(ls, null);
            if (hs.isEmpty()) {
                return true;
            }
            for (Client c : hs) {
                send(c, Signal.KILL, false, ls, attempt);
            }
            // a holder's end is seen within 0.1 s (the reference notices it at once), the
            // signal repeated each second
            for (int i = 0; i < 10 && !holders(ls, null).isEmpty(); i++) {
                if (!sleep(POLL_NANOS)) {
                    return false;
                }
            }
        }
        return holders(ls, null).isEmpty();
    }

    /**
     * Forced shutdown: SIGKILL every lease holder and wait (up to {@code waitMillis}) for
     * their connections to close, so that no lease is released while its holder may
     * still run. Returns whether all are gone.
     */
    boolean killAllHolders(long waitMillis) {
        long end = clock.nanos() + waitMillis * 1_000_000L;
        int attempt = 0;
        while (true) {
            // each live holder with the lockspace of its first lease: sanlock logs
            // "s<id> kill PID sig 9 count N" for each lockspace it leaves
            Map<Client, String> hs = new LinkedHashMap<>();
            for (Client c : d.clients.all()) {
                String ls = c.liveHolderLockspace();
                // our own pid (an in-process client) cannot be killed: nothing to wait for
                if (ls != null && c.pid() != ProcessHandle.current().pid()) {
                    hs.put(c, ls);
                }
            }
            if (hs.isEmpty()) {
                return true;
            }
            if (clock.nanos() > end) {
                return false;
            }
            if (attempt++ % 10 == 0) { // once a second
                int count = attempt / 10 + 1;
                hs.forEach((c, ls) -> send(c, Signal.KILL, false, ls, count));
            }
            if (!sleep(POLL_NANOS)) {
                return false;
            }
        }
    }

    @Override
    public void releaseRequested(String lockspace, String resource, int forceMode) {
        for (Client c : holders(lockspace, resource)) {
            Signal s;
            if (forceMode == CommandFlags.REQ_FORCE) {
                s = Signal.KILL;
            } else {
                s = c.killSettings().killpath().isEmpty() ? Signal.TERM : Signal.KILLPATH;
            }
            killpathRun.remove(c); // a request runs the killpath again
            send(c, s, false, lockspace, 1);
        }
    }

    private void send(Client c, Signal s, boolean appendPidAllowed, String ls, int attempt) {
        Client.KillSettings k = c.killSettings();
        int pid = k.pid();
        int restricted = k.restricted();
        String path = k.killpath();
        String args = k.killargs();
        boolean appendPid = appendPidAllowed && (k.killpathFlags() & CommandFlags.KILLPATH_PID) != 0;
        if (s == Signal.KILL && (restricted & CommandFlags.RESTRICT_SIGKILL) != 0) {
            s = Signal.TERM;
        } else if (s == Signal.TERM && (restricted & CommandFlags.RESTRICT_SIGTERM) != 0) {
            s = Signal.KILL;
        }
        if (pid <= 0 || pid == ProcessHandle.current().pid()) {
            d.log.error(tag(ls) + " cannot signal pid " + pid + " (" + s + ")");
            return;
        }
        switch (s) {
            case KILLPATH -> {
                if (!killpathRun.add(c)) {
                    return; // run once per client; later rounds count as attempts
                }
                List<String> cmd = new ArrayList<>();
                cmd.add(path);
                cmd.addAll(splitArgs(args));
                if (appendPid) {
                    cmd.add(Integer.toString(pid));
                }
                d.log.info(tag(ls) + " kill " + pid + " sig 100 count " + attempt + " (killpath " + cmd + ")");
                d.observer.fenced("killpath"); // metrics (daemon -M)
                try {
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                } catch (IOException e) {
                    d.log.error(tag(ls) + " killpath " + path + " failed: " + e.getMessage());
                }
            }
            case TERM -> {
                d.log.info(tag(ls) + " kill " + pid + " sig 15 count " + attempt);
                d.observer.fenced("sigterm"); // metrics (daemon -M)
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
            case KILL -> {
                d.log.info(tag(ls) + " kill " + pid + " sig 9 count " + attempt);
                d.observer.fenced("sigkill"); // metrics (daemon -M)
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** sanlock's log prefix for a lockspace: "s" and the lockspace's number in this daemon (its name when unknown). */
    private String tag(String ls) {
        int id = d.backend.spaceId(ls);
        return "s" + (id > 0 ? Integer.toString(id) : ls);
    }

    /** The killpath argument string: arguments separated by spaces, a backslash escaping the next character. */
    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                any = true;
            } else if (ch == ' ') {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(ch);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }

    private boolean sleepSecond() {
        return sleep(1_000_000_000L);
    }

    /** Waits on the daemon's clock; false when interrupted (the wait is then over). */
    private boolean sleep(long nanos) {
        try {
            clock.sleepNanos(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    Set<String> recoveringLockspaces() {
        return new HashSet<>(recovering.keySet());
    }
}
