package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.EventChannel;
import io.jsanlock.client.Inquiry;
import io.jsanlock.client.LockspaceState;
import io.jsanlock.client.Registration;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.EventCallback;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostEvent;
import io.jsanlock.wire.HostState;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;
import java.time.Duration;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jsanlock daemon (lease engine backend) as host 1 and a reference sanlock daemon as
 * host 2 on one lease file: the Java client and the reference CLI against the jsanlock
 * daemon, and contention between the two hosts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
// the second lane (TestLanes): side by side with the module's other classes, one such class at a time
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestLanes.REFERENCE_PARITY)
@Tag("slow") // reference and jsanlock daemons joined side by side (~14 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class EngineDaemonReferenceTest {
    static final long MiB = 1048576L;
    static final Path SANLOCK = Path.of("/usr/sbin/sanlock");
    Path dir;
    Path leases;
    Daemon jd;
    long refPid;
    Path refRun;
    SanlockClient j;
    SanlockClient ref;
    final int myPid = (int) ProcessHandle.current().pid();

    record Result(int exit, String out) {}

    static Result run(Path runDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(SANLOCK.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isExecutable(SANLOCK), "reference sanlock missing at " + SANLOCK);
        dir = TempDirs.create("jsanlock-engine-daemon");
        leases = dir.resolve("leases");
        Files.write(leases, new byte[(int) (6 * MiB)]);
        assertEquals(0, run(null, "direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1").exit());
        assertEquals(0, run(null, "direct", "init", "-r", "LS:R:" + leases + ":" + MiB).exit());
        assertEquals(0, run(null, "direct", "init", "-r", "LS:R2:" + leases + ":" + 2 * MiB).exit());
        assertEquals(0, run(null, "direct", "init", "-r", "LS:R3:" + leases + ":" + 3 * MiB).exit());
        assertEquals(0, run(null, "direct", "init", "-r", "LS:R4:" + leases + ":" + 4 * MiB).exit());

        Path jRun = dir.resolve("jrun");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostJ").withRunDir(jRun);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        LeaseEngine engine = LeaseEngine.builder("hostJ").build();
        jd = new Daemon(o, new EngineBackend(engine, log), log, MonotonicClock.SYSTEM);
        jd.start();
        j = new SanlockClient(jRun);

        refRun = dir.resolve("refrun");
        refPid = Reference.startDaemon(refRun, "hostR");
        ref = new SanlockClient(refRun);

        Lockspace l1 = Lockspace.of("LS", 1, leases.toString(), 0);
        Lockspace l2 = Lockspace.of("LS", 2, leases.toString(), 0);
        j.addLockspace(l1, 1, true);
        ref.addLockspace(l2, 1, true);
        assertEquals(LockspaceState.JOINED, j.inqLockspace(l1, true));
        assertEquals(LockspaceState.JOINED, ref.inqLockspace(l2, true));
    }

    @AfterAll
    void stop() throws Exception {
        if (jd != null) {
            jd.shutdown();
        }
        if (refPid != 0) {
            Reference.kill(refPid);
        }
    }

    Resource res(String name, int i) {
        return Resource.of("LS", name, leases.toString(), i * MiB);
    }

    @Test
    void contentionBetweenJsanlockAndReference() throws Exception {
        Registration rj = j.register();
        rj.acquire(res("R", 1));
        Inquiry inq = rj.inquire();
        assertThat(inq.state()).matches("LS:R:" + leases + ":1048576:\\d+");
        try (Registration rr = ref.register()) {
            SanlockException e = assertThrows(SanlockException.class, () -> rr.acquire(res("R", 1)));
            assertEquals(-243, e.code());
            // the reference CLI against the jsanlock daemon
            Result st = run(jd.options().runDir(), "client", "status");
            assertEquals(0, st.exit(), st.out());
            assertThat(st.out()).startsWith("daemon hostJ\np -1 helper\np -1 listener\n");
            assertThat(st.out()).contains("p " + myPid + " \n");
            assertThat(st.out()).contains("s LS:1:" + leases + ":0\n");
            assertThat(st.out()).contains("r LS:R:" + leases + ":1048576:" + inq.leases().get(0).lver() + " p " + myPid + "\n");
            assertThat(st.out()).contains("p -1 status\n");
            Result iq = run(jd.options().runDir(), "client", "inquire", "-p", Integer.toString(myPid));
            assertEquals("inquire pid " + myPid + "\ninquire done 0 res_count 1\n\"" + inq.state() + "\"\n", iq.out());
            // client death: closing the registration frees the lease on disk for the other host
            rj.close();
            long t0 = System.nanoTime();
            await("R free for the reference host", Duration.ofMillis(10_000), () -> {
                try {
                    rr.acquire(res("R", 1));
                    return true;
                } catch (SanlockException x) {
                    return false;
                }
            });
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
            assertEquals(1, rr.inquire().count());
            // and now jsanlock's host is refused
            try (Registration rj2 = j.register()) {
                assertEquals(-243, assertThrows(SanlockException.class, () -> rj2.acquire(res("R", 1))).code());
            }
            rr.releaseAll();
        }
    }

    @Test
    void sharedAcrossBothHostsAndHostLists() throws Exception {
        try (Registration rj = j.register(); Registration rr = ref.register()) {
            rj.acquire(res("R2", 2).withFlags(ResourceFlags.SHARED));
            rr.acquire(res("R2", 2).withFlags(ResourceFlags.SHARED));
            assertThat(rj.inquire().state()).endsWith(":SH");
        }
        await("both hosts live on jsanlock", Duration.ofMillis(20_000), () -> {
            try {
                List<Host> hs = j.getHosts("LS", 0);
                return hs.size() == 2 && hs.stream().allMatch(h -> h.state() == HostState.LIVE);
            } catch (SanlockException e) {
                return false;
            }
        });
        Result gets = run(jd.options().runDir(), "client", "gets", "-h", "1");
        assertEquals(0, gets.exit(), gets.out());
        assertThat(gets.out()).startsWith("s LS:1:" + leases + ":0 \n");
        assertThat(gets.out()).containsPattern("h 1 gen \\d+ timestamp \\d+ LIVE\nh 2 gen \\d+ timestamp \\d+ LIVE\n");
        Result hs = run(jd.options().runDir(), "client", "host_status", "-s", "LS");
        assertEquals(0, hs.exit(), hs.out());
        assertThat(hs.out()).containsPattern("1 timestamp \\d+\n2 timestamp \\d+\n");
        Result v = run(jd.options().runDir(), "client", "version");
        assertThat(v.out()).contains("daemon version 3.8.5 (0x03080500)").contains("daemon socket protocol 0.1");
    }

    @Test
    void storageCommandsMatchTheReference() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.write(a, new byte[(int) (2 * MiB)]);
        Files.write(b, new byte[(int) (2 * MiB)]);
        j.writeLockspace(Lockspace.of("LSX", 0, a.toString(), 0), 0, 1);
        ref.writeLockspace(Lockspace.of("LSX", 0, b.toString(), 0), 0, 1);
        j.writeResource(Resource.of("LSX", "RX", a.toString(), MiB), 0, 0, false);
        ref.writeResource(Resource.of("LSX", "RX", b.toString(), MiB), 0, 0, false);
        byte[] ab = Files.readAllBytes(a);
        byte[] bb = Files.readAllBytes(b);
        // The reference leaves uninitialised stack bytes after the 20 bytes of the request record
        // (seen: "63 7f" at offset 20 of the resource's sector 1); jsanlock writes zeros. Mask them.
        java.util.Arrays.fill(bb, (int) MiB + 512 + 20, (int) MiB + 1024, (byte) 0);
        java.util.Arrays.fill(ab, (int) MiB + 512 + 20, (int) MiB + 1024, (byte) 0);
        int diff = java.util.Arrays.mismatch(ab, bb);
        assertEquals(-1, diff, () -> "areas written by jsanlock and the reference differ at byte " + diff + ": "
                + java.util.HexFormat.ofDelimiter(" ").formatHex(ab, Math.max(0, diff - 8), Math.min(ab.length, diff + 24)) + " / "
                + java.util.HexFormat.ofDelimiter(" ").formatHex(bb, Math.max(0, diff - 8), Math.min(bb.length, diff + 24)));

        for (Path p : List.of(a, b)) {
            assertEquals(ref.readLockspace(Lockspace.of("", 0, p.toString(), 0)).toString().replace(b.toString(), p.toString()),
                    j.readLockspace(Lockspace.of("", 0, p.toString(), 0)).toString());
            assertEquals(ref.readResource(Resource.of("", "", p.toString(), MiB)), j.readResource(Resource.of("", "", p.toString(), MiB)));
        }
        assertEquals(-227, assertThrows(SanlockException.class, () -> j.readResource(Resource.of("LSX", "NO", a.toString(), MiB))).code());
        assertEquals(-19, assertThrows(SanlockException.class, () -> j.readLockspace(Lockspace.of("", 0, dir.resolve("none").toString(), 0))).code());
        assertEquals(ref.getAlignment(new io.jsanlock.wire.Disk(a.toString(), 0)), j.getAlignment(new io.jsanlock.wire.Disk(a.toString(), 0)));

        // owners of a lease held by the reference host, seen by both daemons
        try (Registration rr = ref.register()) {
            rr.acquire(res("R", 1));
            assertEquals(ref.readResourceOwners(res("R", 1)), j.readResourceOwners(res("R", 1)));
            assertThat(j.readResourceOwners(res("R", 1)).owners()).extracting(Host::hostId).containsExactly(2L);
        }
    }

    interface ThrowingCall {
        void run() throws SanlockException;
    }

    static int result(ThrowingCall c) {
        try {
            c.run();
            return 0;
        } catch (SanlockException e) {
            return e.code();
        }
    }

    /**
     * One CONVERT sequence on {@code me}'s daemon while {@code other}'s daemon (the other
     * host) holds the lease shared for a while; returns every result in order.
     */
    List<Integer> convertSequence(SanlockClient me, SanlockClient other, Resource r) throws Exception {
        List<Integer> out = new ArrayList<>();
        Resource sh = r.withFlags(ResourceFlags.SHARED);
        try (Registration mine = me.register(); Registration theirs = other.register()) {
            out.add(result(() -> mine.convert(sh, 0)));          // not held: -2
            mine.acquire(r);
            long lver0 = mine.inquire().leases().get(0).lver();
            out.add(result(() -> mine.convert(r, 0)));           // EX -> EX: -114
            out.add(result(() -> mine.convert(sh, 0)));          // EX -> SH: 0
            assertThat(mine.inquire().state()).endsWith(":SH");
            out.add(result(() -> mine.convert(sh, 0)));          // SH -> SH: -114
            theirs.acquire(sh);                                  // the other host shares it now
            out.add(result(() -> mine.convert(r, 0)));           // SH -> EX with a live shared holder: -11
            assertThat(mine.inquire().state()).endsWith(":SH");  // still held shared
            theirs.releaseAll();
            out.add(result(() -> mine.convert(r, 0)));           // SH -> EX alone: 0
            assertThat(mine.inquire().state()).doesNotEndWith(":SH");
            assertThat(mine.inquire().leases().get(0).lver()).isGreaterThan(lver0);
            // the other host is refused now, as for any exclusive lease
            out.add(result(() -> theirs.acquire(sh)));
            mine.releaseAll();
        }
        return out;
    }

    @Test
    void convertGivesTheReferenceResults() throws Exception {
        List<Integer> onJsanlock = convertSequence(j, ref, res("R3", 3));
        List<Integer> onReference = convertSequence(ref, j, res("R4", 4));
        assertEquals(onReference, onJsanlock, "jsanlock daemon vs reference daemon");
        assertEquals(List.of(-2, -114, 0, -114, -11, 0, -243), onJsanlock);
    }

    /** Waits until {@code c}'s daemon sees both hosts live (events are addressed by host id). */
    static void awaitBothLive(String what, SanlockClient c) throws Exception {
        await(what, Duration.ofMillis(30_000), () -> {
            try {
                List<Host> hs = c.getHosts("LS", 0);
                return hs.size() == 2 && hs.stream().allMatch(h -> h.state() == HostState.LIVE);
            } catch (SanlockException e) {
                return false;
            }
        });
    }

    /** Sets an event on {@code sender}'s daemon for host {@code to} and reads it on {@code receiver}'s channel. */
    static EventCallback sendAndReceive(SanlockClient sender, SanlockClient receiver, long to, long event, long data)
            throws Exception {
        try (EventChannel ch = receiver.registerEvents("LS")) {
            assertThat(ch.next(0)).isNull();
            sender.setEvent("LS", new HostEvent(to, 0, event, data), 0);
            // a different event while the first is still being published is refused
            assertEquals(-16, result(() -> sender.setEvent("LS", new HostEvent(to, 0, event + 1, data), 0)));
            EventCallback ev = ch.next(40_000);
            assertTrue(ev != null, "no event within 40 s");
            return ev;
        }
    }

    @Test
    void eventsTravelBothWays() throws Exception {
        awaitBothLive("both hosts live on jsanlock", j);
        awaitBothLive("both hosts live on the reference", ref);
        long genJ = j.getHosts("LS", 1).get(0).generation();
        long genR = ref.getHosts("LS", 2).get(0).generation();

        // reference host 2 -> jsanlock host 1
        EventCallback atJ = sendAndReceive(ref, j, 1, 7, 9);
        assertEquals(new HostEvent(1, 0, 7, 9), atJ.event());
        assertEquals(2, atJ.fromHostId());
        assertEquals(genR, atJ.fromGeneration());

        // jsanlock host 1 -> reference host 2
        EventCallback atR = sendAndReceive(j, ref, 2, 5, 6);
        assertEquals(new HostEvent(2, 0, 5, 6), atR.event());
        assertEquals(1, atR.fromHostId());
        assertEquals(genJ, atR.fromGeneration());

        // error results as the reference's
        for (HostEvent bad : List.of(new HostEvent(0, 0, 1, 1), new HostEvent(3000, 0, 1, 1))) {
            assertEquals(result(() -> ref.setEvent("LS", bad, 0)), result(() -> j.setEvent("LS", bad, 0)), bad.toString());
        }
        assertEquals(-22, result(() -> j.setEvent("LS", new HostEvent(0, 0, 1, 1), 0)));
        assertEquals(-2, result(() -> ref.setEvent("NOPE", new HostEvent(1, 0, 1, 1), 0)));
        assertEquals(-2, result(() -> j.setEvent("NOPE", new HostEvent(1, 0, 1, 1), 0)));
        assertEquals(-2, assertThrows(SanlockException.class, () -> j.registerEvents("NOPE")).code());
    }

    /** set_event's flags: the same sequence gets the same results from both daemons. */
    @Test
    void setEventFlagsAnswerAsTheReferenceDoes() throws Exception {
        awaitBothLive("both hosts live on jsanlock", j);
        awaitBothLive("both hosts live on the reference", ref);
        List<Integer> onJsanlock = setEventFlagSequence(j, 2, 20);
        List<Integer> onReference = setEventFlagSequence(ref, 1, 20);
        assertEquals(onReference, onJsanlock, "jsanlock daemon vs reference daemon");
        assertEquals(-16, onJsanlock.get(1), "a different event while one is published, without REPLACE");
    }

    static List<Integer> setEventFlagSequence(SanlockClient c, long to, long base) {
        int replace = io.jsanlock.wire.CommandFlags.SETEV_REPLACE_EVENT;
        int clearEvent = io.jsanlock.wire.CommandFlags.SETEV_CLEAR_EVENT;
        int clearHost = io.jsanlock.wire.CommandFlags.SETEV_CLEAR_HOSTID;
        List<Integer> out = new java.util.ArrayList<>();
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base, 1), replace)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 1, 1), 0)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 1, 1), replace)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 2, 1), clearEvent)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 3, 1), 0)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 4, 1), clearHost)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 5, 1), clearHost | replace)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 6, 1), 0)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 7, 1), clearEvent | clearHost)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 8, 1), 0)));
        out.add(result(() -> c.setEvent("LS", new HostEvent(to, 0, base + 9, 1), clearEvent | clearHost)));
        return out; // ends with nothing published, for the other event tests
    }
}
