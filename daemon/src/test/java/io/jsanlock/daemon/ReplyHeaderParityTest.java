package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Header;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceIndex;
import io.jsanlock.wire.unix.UnixSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reply header field at the wire level, reference daemon against jsanlock daemon in
 * the same run: each daemon has joined lockspace LS as host 1 on its own lease file
 * (paths of equal length), each gets the same request bytes on a fresh connection, and the
 * 32-byte reply headers must be equal field by field (magic, version, cmd, flags, length,
 * seq, data, data2), as must the number of bytes that follow the header before the daemon
 * closes the connection (so a header length that disagrees with what is sent shows too).
 * Run-dependent values are left out where they are run-dependent in the reference as
 * well: LOG_DUMP's text length (data, length).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ReplyHeaderParityTest {
    static final long MiB = 1048576L;
    static final Path SANLOCK = Path.of("/usr/sbin/sanlock");

    Path dir;
    Daemon jd;
    long refPid;
    /** Per daemon: its run dir and its own directory of lease files ("ref"/"jsl": same length). */
    final Map<String, Path> runDirs = new LinkedHashMap<>();
    final Map<String, Path> files = new LinkedHashMap<>();

    static void sanlock(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SANLOCK.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
    }

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isExecutable(SANLOCK), "reference sanlock missing at " + SANLOCK);
        dir = TempDirs.create("jsanlock-reply-headers");
        for (String k : List.of("ref", "jsl")) {
            Path f = Files.createDirectories(dir.resolve(k));
            files.put(k, f);
            Path leases = f.resolve("leases");
            Files.write(leases, new byte[(int) (4 * MiB)]);
            sanlock("direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1");
            sanlock("direct", "init", "-r", "LS:R:" + leases + ":" + MiB);
            sanlock("direct", "init", "-r", "LS:R2:" + leases + ":" + 2 * MiB);
            Files.write(f.resolve("scratch"), new byte[(int) (4 * MiB)]);
        }
        Path jRun = dir.resolve("jrun");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostX").withRunDir(jRun);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        jd = new Daemon(o, new EngineBackend(LeaseEngine.builder("hostX").build(), log), log, MonotonicClock.SYSTEM);
        jd.start();

        Path refRun = dir.resolve("rrun");
        refPid = Reference.startDaemon(refRun, "hostX");
        runDirs.put("ref", refRun);
        runDirs.put("jsl", jRun);
        for (String k : runDirs.keySet()) {
            Reply r = exchange(k, Requests.addLockspace(ls(k), 1, 0));
            assertEquals(0, r.header.data(), k + " add_lockspace");
        }
        // the reference knows its own host's record as add_lockspace returns; jsanlock after its first renewal
        long until = System.nanoTime() + 30_000_000_000L;
        while (exchange("jsl", Requests.lockspaceCommand(Command.GET_HOSTS, 0, 0, 0, ls("jsl"))).header.data() != 0) {
            assertTrue(System.nanoTime() < until, "jsanlock's GET_HOSTS never answered 0");
            Thread.sleep(50); // polled: the daemon has no event for "first renewal done"
        }
    }

    @AfterAll
    void stop() {
        if (jd != null) {
            jd.shutdown();
        }
        if (refPid != 0) {
            Reference.kill(refPid);
        }
    }

    Lockspace ls(String k) {
        return Lockspace.of("LS", 1, files.get(k).resolve("leases").toString(), 0);
    }

    Resource res(String k, String name, long offset) {
        return Resource.of("LS", name, files.get(k).resolve("leases").toString(), offset);
    }

    Disk disk(String k, String file, long offset) {
        return new Disk(files.get(k).resolve(file).toString(), offset);
    }

    record Reply(Header header, int following) {}

    /** One request on a fresh connection: the reply header and how many bytes follow it until the daemon closes. */
    Reply exchange(String k, ByteBuffer request) throws IOException, io.jsanlock.wire.WireException {
        try (UnixSocket s = UnixSocket.connect(runDirs.get(k).resolve("sanlock.sock"))) {
            s.setReadTimeoutMillis(60_000);
            s.writeFully(request);
            s.shutdownOutput(); // the daemon closes its end once it has answered
            Header h = Header.decode(s.readOrEof(Header.SIZE));
            return new Reply(h, drain(s));
        }
    }

    static int drain(UnixSocket s) throws IOException {
        byte[] b = new byte[65536];
        int n = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            int r = s.readSome(b, 0, b.length, deadline);
            if (r < 0) {
                return n;
            }
            assertTrue(r > 0, "daemon did not close the connection after its reply");
            n += r;
        }
    }

    /** The request cases: name → request bytes for daemon k. */
    Map<String, Function<String, ByteBuffer>> cases() {
        Map<String, Function<String, ByteBuffer>> m = new LinkedHashMap<>();
        for (int section = 0; section <= 3; section++) {
            int sec = section;
            m.put("status " + sec, k -> Requests.headerOnly(Command.STATUS, 0, sec, 0));
        }
        m.put("version", k -> Requests.headerOnly(Command.VERSION, 0, 0, 0));
        m.put("get_lockspaces", k -> Requests.headerOnly(Command.GET_LOCKSPACES, 0, 0, 0));
        m.put("get_hosts", k -> wrap(() -> Requests.lockspaceCommand(Command.GET_HOSTS, 0, 0, 0, ls(k))));
        m.put("get_hosts unknown", k -> wrap(() -> Requests.lockspaceCommand(Command.GET_HOSTS, 0, 0, 0, Lockspace.of("NO", 1, "", 0))));
        m.put("host_status", k -> wrap(() -> Requests.hostStatusLike(Command.HOST_STATUS, ls(k))));
        m.put("host_status unknown", k -> wrap(() -> Requests.hostStatusLike(Command.HOST_STATUS, Lockspace.of("NO", 1, "", 0))));
        m.put("renewal unknown", k -> wrap(() -> Requests.hostStatusLike(Command.RENEWAL, Lockspace.of("NO", 1, "", 0))));
        for (int v : new int[] {CommandFlags.CONFIG_USED, CommandFlags.CONFIG_UNUSED, 99}) {
            m.put("set_config " + v, k -> wrap(() -> Requests.lockspaceCommand(Command.SET_CONFIG, 0, v, 0, ls(k))));
        }
        m.put("set_config unknown", k -> wrap(() -> Requests.lockspaceCommand(Command.SET_CONFIG, 0, CommandFlags.CONFIG_USED, 0,
                Lockspace.of("NO", 1, "", 0))));
        m.put("end_event", k -> wrap(() -> Requests.lockspaceCommand(Command.END_EVENT, 0, 0, 0, ls(k))));
        m.put("end_event unknown", k -> wrap(() -> Requests.lockspaceCommand(Command.END_EVENT, 0, 0, 0, Lockspace.of("NO", 1, "", 0))));
        m.put("reg_event unknown", k -> wrap(() -> Requests.lockspaceEvent(Command.REG_EVENT, 0, Lockspace.of("NO", 1, "", 0), HostEvent.NONE)));
        m.put("set_event", k -> wrap(() -> Requests.lockspaceEvent(Command.SET_EVENT, 0, ls(k), new HostEvent(1, 0, 1, 0))));
        m.put("inq_lockspace", k -> wrap(() -> Requests.lockspaceCommand(Command.INQ_LOCKSPACE, 0, 0, 0, ls(k))));
        m.put("add_lockspace again", k -> wrap(() -> Requests.addLockspace(ls(k), 1, 0)));
        m.put("rem_lockspace unknown", k -> wrap(() -> Requests.lockspaceCommand(Command.REM_LOCKSPACE, 0, 0, 0, Lockspace.of("NO", 1, "", 0))));
        m.put("align", k -> wrap(() -> Requests.align(disk(k, "leases", 0))));
        m.put("read_lockspace", k -> wrap(() -> Requests.lockspaceCommand(Command.READ_LOCKSPACE, 0, 0, 0, ls(k))));
        m.put("read_resource", k -> wrap(() -> Requests.resourceWithDisks(Command.READ_RESOURCE, 0, 0, 0, res(k, "", MiB))));
        m.put("read_resource_owners", k -> wrap(() -> Requests.resourceWithDisks(Command.READ_RESOURCE_OWNERS, 0, 0, 0, res(k, "R", MiB))));
        m.put("write_lockspace", k -> wrap(() -> Requests.lockspaceCommand(Command.WRITE_LOCKSPACE, 0, 0, 0,
                Lockspace.of("LS2", 0, files.get(k).resolve("scratch").toString(), 0))));
        m.put("write_resource", k -> wrap(() -> Requests.resourceWithDisks(Command.WRITE_RESOURCE, 0, 0, 0,
                Resource.of("LS2", "W", files.get(k).resolve("scratch").toString(), 2 * MiB))));
        m.put("examine_lockspace", k -> wrap(() -> Requests.lockspaceCommand(Command.EXAMINE_LOCKSPACE, 0, 0, 0, ls(k))));
        m.put("examine_resource", k -> wrap(() -> Requests.resourceWithDisks(Command.EXAMINE_RESOURCE, 0, 0, 0, res(k, "R", MiB))));
        m.put("request", k -> wrap(() -> Requests.resourceWithDisks(Command.REQUEST, 0, 0, 0, res(k, "R", MiB))));
        m.put("get_lvb not held", k -> wrap(() -> Requests.resourceHead(Command.GET_LVB, 0, 0, 0, res(k, "R", MiB))));
        m.put("shutdown_wait with lockspace", k -> Requests.headerOnly(Command.SHUTDOWN_WAIT, 0, 0, 0));
        m.put("acquire unregistered", k -> wrap(() -> Requests.acquire(-1, 0, List.of(res(k, "R", MiB)), Options.NONE)));
        m.put("inquire unregistered", k -> Requests.headerOnly(Command.INQUIRE, 0, 0, -1));
        m.put("format_rindex missing", k -> wrap(() -> Requests.rindex(Command.FORMAT_RINDEX, 0, 0, 0,
                new ResourceIndex(0, 0, "LS", disk(k, "missing", 0)))));
        return m;
    }

    interface WireCall {
        ByteBuffer get() throws Exception;
    }

    static ByteBuffer wrap(WireCall c) {
        try {
            return c.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyReplyHeaderFieldMatchesTheReferenceDaemons() throws Exception {
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Function<String, ByteBuffer>> e : cases().entrySet()) {
            Reply ref = exchange("ref", e.getValue().apply("ref"));
            Reply mine = exchange("jsl", e.getValue().apply("jsl"));
            if (e.getKey().startsWith("status")) {
                // the records' text is each daemon's settings (mlock level, ...): only the header here
                ref = new Reply(ref.header, 0);
                mine = new Reply(mine.header, 0);
            }
            if (!ref.equals(mine)) {
                diffs.add(e.getKey() + ":\n  reference " + ref + "\n  jsanlock  " + mine);
            }
        }
        assertEquals("", String.join("\n", diffs));
    }

    @Test
    void logDumpReplyHeaderDescribesWhatFollowsInBothDaemons() throws Exception {
        for (String k : runDirs.keySet()) {
            Reply r = exchange(k, Requests.headerOnly(Command.LOG_DUMP, 0, 0, 0));
            assertEquals(Command.LOG_DUMP.number(), r.header.cmd(), k);
            assertEquals(Header.SIZE, r.header.length(), k + " " + r); // data, not length, counts the text
            assertEquals(r.header.data(), r.following, k + " " + r);
        }
        Reply ref = exchange("ref", Requests.headerOnly(Command.LOG_DUMP, 0, 0, 0));
        Reply mine = exchange("jsl", Requests.headerOnly(Command.LOG_DUMP, 0, 0, 0));
        assertEquals(ref.header.version(), mine.header.version());
        assertEquals(ref.header.data2(), mine.header.data2());
        assertEquals(ref.header.cmdFlags(), mine.header.cmdFlags());
        assertEquals(ref.header.seq(), mine.header.seq());
    }

    /** The registered-class commands on one registered connection each, as libsanlock sends them. */
    @Test
    void registeredCommandReplyHeadersMatchTheReferenceDaemons() throws Exception {
        Map<String, List<Reply>> got = new LinkedHashMap<>();
        for (String k : runDirs.keySet()) {
            List<Reply> replies = new ArrayList<>();
            try (UnixSocket s = UnixSocket.connect(runDirs.get(k).resolve("sanlock.sock"))) {
                s.setReadTimeoutMillis(60_000);
                s.writeFully(Requests.headerOnly(Command.REGISTER, 0, 0, 0));
                List<ByteBuffer> reqs = List.of(
                        Requests.killpath(0, "/bin/true", "a"),
                        Requests.acquire(-1, 0, List.of(res(k, "R", MiB)), Options.NONE),
                        Requests.acquire(-1, 0, List.of(res(k, "R", MiB)), Options.NONE),
                        Requests.headerOnly(Command.INQUIRE, 0, 0, -1),
                        Requests.convert(-1, 0, Resource.of("LS", "R", 1, 0, List.of(disk(k, "leases", MiB)))),
                        Requests.release(-1, 0, List.of(res(k, "R", MiB))),
                        Requests.release(-1, 0, List.of(res(k, "R", MiB))),
                        Requests.headerOnly(Command.INQUIRE, 0, 0, -1),
                        Requests.headerOnly(Command.RESTRICT, 0, 0, -1));
                for (ByteBuffer req : reqs) {
                    s.writeFully(req);
                    Header h = Header.decode(s.readOrEof(Header.SIZE));
                    int body = Math.max(0, h.length() - Header.SIZE);
                    if (body > 0) {
                        s.readOrEof(body);
                    }
                    replies.add(new Reply(h, body));
                }
                s.shutdownOutput();
                replies.add(new Reply(new Header(0, 0, 0, 0, 0, 0, 0, 0), drain(s))); // nothing unannounced left
            }
            got.put(k, replies);
        }
        assertEquals(got.get("ref"), got.get("jsl"));
    }

    @Test
    void statusRepliesCarryTheirOwnLengthNotTheRequests() throws Exception {
        // the same check as the table above, spelled out for the case the issue found:
        // a request with a body (1136 bytes of set_config) must not lend its length to the reply
        for (String k : runDirs.keySet()) {
            Reply r = exchange(k, Requests.lockspaceCommand(Command.SET_CONFIG, 0, CommandFlags.CONFIG_USED, 0, ls(k)));
            assertEquals(Header.SIZE, r.header.length(), k + " " + r);
        }
    }
}
