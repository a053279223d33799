package io.jsanlock.client;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.SanlockException;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostState;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The client library against one reference sanlock 3.8.5 daemon (host 1, io_timeout 1)
 * joined to lockspace LS on a temp lease file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceDaemonClientTest {
    static final long MiB = 1048576L;
    Path dir;
    Path leases;
    Reference.Daemon daemon;
    SanlockClient client;
    Lockspace ls;
    final int myPid = (int) ProcessHandle.current().pid();

    @BeforeAll
    void start() throws Exception {
        dir = TempDirs.create("jsanlock-client-ref");
        leases = dir.resolve("leases");
        Reference.initLeaseFile(leases, "LS", "R", "R2", "R3", "R4", "R5", "R6");
        daemon = Reference.Daemon.start(dir.resolve("run"), "hostA");
        client = new SanlockClient(daemon.runDir);
        ls = Lockspace.of("LS", 1, leases.toString(), 0);
        client.addLockspace(ls, 1, false);
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    Resource res(String name, int index) {
        return Resource.of("LS", name, leases.toString(), index * MiB);
    }

    static int code(Callable<?> c) {
        SanlockException e = assertThrows(SanlockException.class, c::call);
        return e.code();
    }

    @Test
    void versionIs385() throws Exception {
        DaemonVersion v = client.version();
        assertEquals(0x03080500, v.version());
        assertEquals("3.8.5", v.text());
        assertEquals("0.1", v.protocolText());
    }

    @Test
    void missingDaemonIsMinus2() {
        SanlockClient none = new SanlockClient(dir.resolve("nothing-here"));
        assertEquals(-2, code(none::version));
    }

    @Test
    void statusSectionsAndDaemonText() throws Exception {
        List<StateRecord> only = client.status(1);
        assertThat(only).hasSize(1);
        assertEquals(StateType.DAEMON, only.get(0).type());
        assertEquals("hostA", only.get(0).name());
        assertEquals("3.8.5", only.get(0).field("version_str"));
        List<StateRecord> all = client.status(0);
        assertThat(all).extracting(StateRecord::name).contains("helper", "listener", "status");
        StateRecord lsRec = all.stream().filter(r -> r.type() == StateType.LOCKSPACE).findFirst().orElseThrow();
        assertEquals("LS", lsRec.name());
        assertEquals(1, lsRec.data64());
        assertEquals(leases.toString(), lsRec.lockspace().disk().path());
        assertEquals("1", lsRec.field("io_timeout"));
    }

    @Test
    void exclusiveAcquireInquireRelease() throws Exception {
        try (Registration reg = client.register()) {
            reg.acquire(res("R", 1));
            Inquiry inq = reg.inquire();
            assertEquals(1, inq.count());
            assertThat(inq.state()).matches("LS:R:" + leases + ":1048576:[1-9][0-9]*");
            Resource held = inq.leases().get(0);
            assertEquals("R", held.name());
            assertEquals(1 * MiB, held.disks().get(0).offset());
            assertEquals(ResourceFlags.LVER, held.flags());

            // the same registration seen by pid from another connection (libvirt's form)
            Inquiry byPid = client.inquire(myPid);
            assertEquals(inq.state(), byPid.state());

            // status lists our registration and the lease, held by our pid
            List<StateRecord> st = client.status(0);
            assertThat(st).anyMatch(r -> r.type() == StateType.CLIENT && r.data32() == myPid);
            StateRecord r = st.stream().filter(x -> x.type() == StateType.RESOURCE && x.name().equals("R")).findFirst().orElseThrow();
            assertEquals(myPid, r.data32());
            assertEquals("held", r.field("list"));

            // owner on disk is host 1
            ResourceOwners owners = client.readResourceOwners(res("R", 1));
            assertThat(owners.owners()).extracting(Host::hostId).containsExactly(1L);

            // a second exclusive acquire of the same lease on this host
            try (Registration other = client.register()) {
                assertThat(code(() -> { other.acquire(res("R", 1)); return null; })).isIn(-17, -16);
            }

            reg.release(res("R", 1));
            assertEquals(0, reg.inquire().count());
            assertEquals("", reg.inquire().state());
            assertEquals(-1, code(() -> { reg.release(res("R", 1)); return null; }));
        }
    }

    @Test
    void sharedAndExclusiveInOneAcquireThenConvert() throws Exception {
        try (Registration reg = client.register()) {
            Resource r2 = res("R2", 2);
            Resource r3 = res("R3", 3).withFlags(ResourceFlags.SHARED);
            reg.acquire(List.of(r2, r3), 0, Options.owner("java-client"));
            Inquiry inq = reg.inquire();
            assertEquals(2, inq.count());
            assertThat(inq.state()).matches("LS:R2:" + leases + ":2097152:\\d+ LS:R3:" + leases + ":3145728:SH");
            assertThat(inq.leases().get(1).shared()).isTrue();
            // the owner name replaces the client's name in status
            assertThat(client.status(2)).anyMatch(x -> x.type() == StateType.CLIENT && x.name().equals("java-client"));

            // convert the shared lease to exclusive, then back; converting to the same mode is -114
            reg.convert(res("R3", 3), 0);
            assertThat(reg.inquire().state()).doesNotContain(":SH");
            assertEquals(-114, code(() -> { reg.convert(res("R3", 3), 0); return null; }));
            reg.releaseAll();
            assertEquals(0, reg.inquire().count());
        }
    }

    @Test
    void closingTheRegistrationReleasesAtOnce() throws Exception {
        Registration reg = client.register();
        reg.acquire(res("R4", 4));
        assertThat(client.readResourceOwners(res("R4", 4)).owners()).isNotEmpty();
        long t0 = System.nanoTime();
        reg.close();
        // "At once": released on the close, not when something times out. A bound of 5 s, not
        // 1: a loaded 2-core machine delays the release I/O by seconds at worst, while the
        // nearest timeout that could free it otherwise (the lease's 8·io_timeout) is 8 s here.
        await("R4 released after close", Duration.ofSeconds(5), () ->
                client.status(0).stream().noneMatch(x -> x.type() == StateType.RESOURCE && x.name().equals("R4")));
        await("R4 free on disk", Duration.ofSeconds(5), () -> client.readResourceOwners(res("R4", 4)).owners().isEmpty());
        assertThat((System.nanoTime() - t0) / 1_000_000L).isLessThan(5000);
    }

    @Test
    void acquireForAnotherRegisteredPid() throws Exception {
        // The reference daemon finds the target of an acquire by pid. Every test here registers
        // from this one process, and a registration closed by the test before may still be in
        // the daemon's table while its hang-up is being processed: an acquire for this pid could
        // then be given to that dying client and answered -25 (ENOTTY: the target died while
        // acquiring), as CI saw once. So wait until no client of this pid is left, register,
        // and wait until the daemon has read the REGISTER (libsanlock's register does not wait
        // for a reply either).
        await("no earlier registration of this pid left", Duration.ofSeconds(10),
                () -> clientsOfThisPid() == 0);
        try (Registration reg = client.register()) {
            await("the registration read by the daemon", Duration.ofSeconds(10),
                    () -> clientsOfThisPid() == 1);
            client.acquire(myPid, 0, List.of(res("R5", 5)), null);
            assertEquals(1, reg.inquire().count());
            client.release(myPid, List.of(res("R5", 5)));
            assertEquals(0, reg.inquire().count());
        }
        assertEquals(-3, code(() -> client.inquire(999_999)));
    }

    private long clientsOfThisPid() throws Exception {
        return client.status(2).stream()
                .filter(x -> x.type() == StateType.CLIENT && x.data32() == myPid).count();
    }

    @Test
    void lockValueBlock() throws Exception {
        try (Registration reg = client.register()) {
            reg.acquire(List.of(res("R6", 6)), CommandFlags.ACQUIRE_LVB, null);
            byte[] v = "hello-lvb".getBytes(StandardCharsets.US_ASCII);
            client.setLvb(res("R6", 6), v);
            byte[] back = client.getLvb(res("R6", 6), 0);
            assertEquals(512, back.length);
            assertThat(Arrays.copyOf(back, v.length)).isEqualTo(v);
            assertEquals(0, back[v.length]);
            reg.releaseAll();
        }
        // not held any more
        assertThat(code(() -> { client.setLvb(res("R6", 6), new byte[] {1}); return null; })).isNegative();
    }

    @Test
    void killpathAndRestrictShowInStatus() throws Exception {
        try (Registration reg = client.register()) {
            reg.killpath("/bin/true", Registration.killpathArgs(List.of("a b", "c")), true);
            reg.restrict(CommandFlags.RESTRICT_SIGTERM);
            StateRecord me = client.status(2).stream()
                    .filter(x -> x.type() == StateType.CLIENT && x.data32() == myPid).findFirst().orElseThrow();
            assertEquals("1", me.field("flags"));
            assertEquals("4", me.field("restricted"));
            assertEquals("3.8.5", reg.version().text());
        }
        assertEquals("a\\ b c", Registration.killpathArgs(List.of("a b", "c")));
    }

    @Test
    void requestAndExamine() throws Exception {
        Resource r = res("R", 1);
        try (Registration reg = client.register()) {
            // a request against a free lease writes nothing and succeeds (algorithms.md 3.8)
            client.request(r.withFlags(ResourceFlags.LVER).withLver(1), 0, false);
            reg.acquire(r);
            long lver = reg.inquire().leases().get(0).lver();
            assertThat(lver).isPositive();
            // held: a version that is not newer than the current one is refused
            assertEquals(-272, code(() -> { client.request(r.withFlags(ResourceFlags.LVER).withLver(lver), 0, false); return null; }));
            client.request(r.withFlags(ResourceFlags.LVER).withLver(lver + 1), 0, false);
            client.request(r, 0, true); // NEXT_LVER
            // lver 0 with force 0 clears the request
            client.request(r.withFlags(ResourceFlags.LVER).withLver(0), 0, false);
            client.examine(r);
            client.examine(ls);
            reg.releaseAll();
        }
    }

    @Test
    void writeAndReadLockspaceAndResource() throws Exception {
        Path f = dir.resolve("other");
        Files.write(f, new byte[(int) (3 * MiB)]);
        client.writeLockspace(Lockspace.of("LS2", 0, f.toString(), 0), 0, 1);
        LockspaceInfo info = client.readLockspace(Lockspace.of("", 0, f.toString(), 0));
        assertEquals("LS2", info.lockspace().name());
        assertEquals(1, info.ioTimeout());
        assertEquals(512, info.sectorSize());
        assertEquals(MiB, info.alignSize());
        assertEquals(1, info.lockspace().hostId());

        client.writeResource(Resource.of("LS2", "RX", f.toString(), MiB), 0, 0, false);
        Resource rx = client.readResource(Resource.of("", "", f.toString(), MiB));
        assertEquals("LS2", rx.lockspace());
        assertEquals("RX", rx.name());
        assertEquals(0, rx.lver());
        assertEquals(ResourceFlags.ALIGN1M | ResourceFlags.SECTOR512, rx.flags());
        // a wrong name must match when set
        assertEquals(-227, code(() -> client.readResource(Resource.of("LS2", "NOPE", f.toString(), MiB))));
        // a cleared resource reads as no lease
        client.writeResource(Resource.of("LS2", "RX", f.toString(), MiB), 0, 0, true);
        assertEquals(-223, code(() -> client.readResource(Resource.of("", "", f.toString(), MiB))));
        assertEquals(-19, code(() -> client.readLockspace(Lockspace.of("", 0, dir.resolve("missing").toString(), 0))));
    }

    @Test
    void lockspaceQueries() throws Exception {
        List<Lockspace> spaces = client.getLockspaces();
        assertThat(spaces).anySatisfy(s -> {
            assertEquals("LS", s.name());
            assertEquals(1, s.hostId());
            assertEquals(leases.toString(), s.disk().path());
            assertEquals(0, s.flags());
        });
        await("get_hosts ready", Duration.ofMillis(10_000), () -> {
            try {
                return !client.getHosts("LS", 0).isEmpty();
            } catch (SanlockException e) {
                if (e.code() == -11) {
                    return false;
                }
                throw e;
            }
        });
        List<Host> hosts = client.getHosts("LS", 0);
        Host me = hosts.stream().filter(h -> h.hostId() == 1).findFirst().orElseThrow();
        assertEquals(HostState.LIVE, me.state());
        assertEquals(1, me.ioTimeout());
        assertThat(me.timestamp()).isPositive();

        List<StateRecord> hs = client.hostStatus("LS");
        assertThat(hs).anyMatch(r -> r.type() == StateType.HOST && r.data32() == 1 && "hostA".equals(r.field("owner_name")));
        assertEquals(-28, code(() -> client.hostStatus("NOPE")));
        Renewals rn = client.renewal("LS");
        if (!rn.records().isEmpty()) {
            assertEquals(1, rn.ioTimeout());
            assertThat(rn.records().get(0).field("timestamp")).isNotNull();
        }
        assertEquals(-28, code(() -> client.renewal("NOPE")));
        assertEquals(-2, code(() -> client.getHosts("NOPE", 0)));
        assertEquals(LockspaceState.JOINED, client.inqLockspace(ls, false));
        assertEquals(-17, code(() -> { client.addLockspace(ls, 1, false); return null; }));
        assertEquals(MiB, client.getAlignment(new Disk(leases.toString(), 0)));
    }

    @Test
    void setConfig() throws Exception {
        client.setConfig("LS", CommandFlags.CONFIG_USED);
        assertEquals("1", lockspaceRecord().field("external_used"));
        client.setConfig("LS", CommandFlags.CONFIG_UNUSED);
        assertEquals("0", lockspaceRecord().field("external_used"));
        assertEquals(-22, code(() -> { client.setConfig("LS", 0); return null; }));
        assertEquals(-2, code(() -> { client.setConfig("NOPE", CommandFlags.CONFIG_USED); return null; }));
    }

    StateRecord lockspaceRecord() throws SanlockException {
        return client.status(3).stream().filter(r -> r.type() == StateType.LOCKSPACE && r.name().equals("LS")).findFirst().orElseThrow();
    }

    @Test
    void addAndRemoveAsync() throws Exception {
        Path f = dir.resolve("async");
        Files.write(f, new byte[(int) (2 * MiB)]);
        client.writeLockspace(Lockspace.of("LSA", 0, f.toString(), 0), 0, 1);
        Lockspace lsa = Lockspace.of("LSA", 1, f.toString(), 0);
        client.addLockspace(lsa, 1, true);
        assertThat(client.inqLockspace(lsa, false)).isIn(LockspaceState.IN_PROGRESS, LockspaceState.JOINED);
        assertEquals(LockspaceState.JOINED, client.inqLockspace(lsa, true));
        client.remLockspace(lsa, true, false);
        await("LSA gone", Duration.ofMillis(20_000), () -> client.inqLockspace(lsa, false) == LockspaceState.ABSENT);
        assertEquals(-2, code(() -> { client.remLockspace(lsa, false, false); return null; }));
    }

    @Test
    void acquireInUnknownLockspaceIsMinus28() throws Exception {
        try (Registration reg = client.register()) {
            assertEquals(-28, code(() -> { reg.acquire(Resource.of("NOPE", "R", leases.toString(), MiB)); return null; }));
        }
    }

    @Test
    void logDumpHasTheDaemonsLog() throws Exception {
        try (Registration reg = client.register()) {
            assertThat(reg.isOpen()).isTrue();
        }
        String log = client.logDump();
        assertThat(log).contains("cmd_register");
        assertThat(log).doesNotEndWith("\n");
    }
}
