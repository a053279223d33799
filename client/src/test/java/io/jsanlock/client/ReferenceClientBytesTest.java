package io.jsanlock.client;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.Resource;
import io.jsanlock.wire.ResourceFlags;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jsanlock.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact bytes python3-sanlock 3.8.5 and the sanlock 3.8.5 CLI send (captured through
 * a recording proxy in front of a reference daemon) equal what our encoders produce for
 * the same calls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceClientBytesTest {
    static final long MiB = 1048576L;
    Path dir;
    Path leases;
    Reference.Daemon daemon;

    @BeforeAll
    void start() throws Exception {
        dir = TempDirs.create("jsanlock-bytes");
        leases = dir.resolve("leases");
        Reference.initLeaseFile(leases, "LS", "R");
        daemon = Reference.Daemon.start(dir.resolve("run"), "hostA");
        SanlockClient c = new SanlockClient(daemon.runDir);
        c.addLockspace(Lockspace.of("LS", 1, leases.toString(), 0), 1, false);
        // GET_HOSTS answers -11 until the daemon has read the other hosts once
        await("get_hosts ready", Duration.ofMillis(10_000), () -> {
            try {
                c.getHosts("LS", 0);
                return true;
            } catch (io.jsanlock.base.SanlockException e) {
                return false;
            }
        });
    }

    @AfterAll
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    static byte[] concat(ByteBuffer... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (ByteBuffer p : parts) {
            ByteBuffer d = p.duplicate();
            byte[] b = new byte[d.remaining()];
            d.get(b);
            o.writeBytes(b);
        }
        return o.toByteArray();
    }

    static void assertSameBytes(String what, byte[] expected, byte[] actual) {
        int n = Math.min(expected.length, actual.length);
        for (int i = 0; i < n; i++) {
            if (expected[i] != actual[i]) {
                int from = Math.max(0, i - 8);
                throw new AssertionError(what + ": first difference at byte " + i + " (0x" + Integer.toHexString(i) + "): ours "
                        + HexFormat.ofDelimiter(" ").formatHex(expected, from, Math.min(expected.length, i + 16)) + " / reference "
                        + HexFormat.ofDelimiter(" ").formatHex(actual, from, Math.min(actual.length, i + 16)));
            }
        }
        assertEquals(expected.length, actual.length, what + ": lengths differ");
    }

    List<byte[]> runPython(String script) throws Exception {
        Path proxyDir = Files.createTempDirectory(dir, "proxy");
        try (RecordingProxy proxy = new RecordingProxy(proxyDir, daemon.runDir.resolve("sanlock.sock"))) {
            Path py = Path.of("/usr/bin/python3");
            assertTrue(Files.isExecutable(py), "/usr/bin/python3 missing");
            ProcessBuilder pb = new ProcessBuilder(py.toString(), "-c", "import sanlock\n" + script).redirectErrorStream(true);
            pb.environment().put("SANLOCK_RUN_DIR", proxyDir.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python hung");
            assertEquals(0, p.exitValue(), "python failed: " + out);
            await("proxy drained", Duration.ofMillis(2000), () -> true);
            Thread.sleep(100); // last bytes of the pumps; the process has exited so nothing more can come
            return proxy.connections();
        }
    }

    @Test
    void pythonRegisteredConnection() throws Exception {
        String p = leases.toString();
        List<byte[]> conns = runPython("""
                fd = sanlock.register()
                sanlock.killpath(b"/bin/true", [b"a b", b"c\\\\d"], slkfd=fd)
                sanlock.acquire(b"LS", b"R", [("%s", %d)], slkfd=fd, shared=True)
                print(sanlock.inquire(slkfd=fd))
                sanlock.release(b"LS", b"R", [("%s", %d)], slkfd=fd)
                sanlock.acquire(b"LS", b"R", [("%s", %d)], slkfd=fd, version=0, lvb=True)
                sanlock.release(b"LS", b"R", [("%s", %d)], slkfd=fd)
                """.formatted(p, MiB, p, MiB, p, MiB, p, MiB));
        assertEquals(1, conns.size(), "python used one connection");
        Resource r = Resource.of("LS", "R", p, MiB);
        byte[] ours = concat(
                Requests.headerOnly(Command.REGISTER, 0, 0, 0),
                Requests.killpath(0, "/bin/true", Registration.killpathArgs(List.of("a b", "c\\d"))),
                Requests.acquire(-1, 0, List.of(r.withFlags(ResourceFlags.SHARED)), Options.NONE),
                Requests.headerOnly(Command.INQUIRE, 0, 0, -1),
                Requests.release(-1, 0, List.of(r)), // python sends flags 0 in RELEASE whatever the mode
                Requests.acquire(-1, 1, List.of(r.withFlags(ResourceFlags.LVER).withLver(0)), Options.NONE),
                Requests.release(-1, 0, List.of(r)));
        assertSameBytes("python register/killpath/acquire/inquire/release", ours, conns.get(0));
    }

    @Test
    void pythonOneShotCommands() throws Exception {
        String p = leases.toString();
        Path other = dir.resolve("other");
        Files.write(other, new byte[(int) (2 * MiB)]);
        List<byte[]> conns = runPython("""
                print(sanlock.inq_lockspace(b"LS", 1, "%1$s", 0))
                print(sanlock.read_lockspace("%1$s"))
                print(sanlock.read_resource("%1$s", %2$d))
                sanlock.request(b"LS", b"R", [("%1$s", %2$d)])
                print(sanlock.get_hosts(b"LS"))
                print(sanlock.get_lockspaces())
                sanlock.write_resource(b"LS", b"RW", [("%3$s", 0)], max_hosts=0, num_hosts=0)
                sanlock.write_lockspace(b"LSW", "%3$s", 1048576, iotimeout=1)
                print(sanlock.read_resource_owners(b"LS", b"R", [("%1$s", %2$d)]))
                """.formatted(p, MiB, other));
        assertEquals(9, conns.size());
        Resource r = Resource.of("LS", "R", p, MiB);
        int f110 = ResourceFlags.ALIGN1M | ResourceFlags.SECTOR512;
        assertSameBytes("inq_lockspace", concat(Requests.lockspaceCommand(Command.INQ_LOCKSPACE, 0, 0, 0,
                Lockspace.of("LS", 1, p, 0))), conns.get(0));
        assertSameBytes("read_lockspace", concat(Requests.lockspaceCommand(Command.READ_LOCKSPACE, 0, 0, 0,
                new Lockspace("", 0, f110, new io.jsanlock.wire.Disk(p, 0)))), conns.get(1));
        assertSameBytes("read_resource", concat(Requests.resourceWithDisks(Command.READ_RESOURCE, 0, 0, 0,
                Resource.of("", "", f110, 0, List.of(new io.jsanlock.wire.Disk(p, MiB))))), conns.get(2));
        assertSameBytes("request", concat(Requests.resourceWithDisks(Command.REQUEST, 1, 2, 0, r)), conns.get(3));
        assertSameBytes("get_hosts", concat(Requests.lockspaceCommand(Command.GET_HOSTS, 0, 0, 0, Lockspace.named("LS"))),
                conns.get(4));
        assertSameBytes("get_lockspaces", concat(Requests.headerOnly(Command.GET_LOCKSPACES, 0, 0, 0)), conns.get(5));
        assertSameBytes("write_resource", concat(Requests.resourceWithDisks(Command.WRITE_RESOURCE, 0, 0, 0,
                Resource.of("LS", "RW", f110, 0, List.of(new io.jsanlock.wire.Disk(other.toString(), 0))))), conns.get(6));
        assertSameBytes("write_lockspace", concat(Requests.lockspaceCommand(Command.WRITE_LOCKSPACE, 0, 0, 1,
                new Lockspace("LSW", 0, f110, new io.jsanlock.wire.Disk(other.toString(), MiB)))), conns.get(7));
        assertSameBytes("read_resource_owners", concat(Requests.resourceWithDisks(Command.READ_RESOURCE_OWNERS, 0, 0, 0,
                r.withFlags(f110))), conns.get(8));
    }

    List<byte[]> runCli(String... args) throws Exception {
        Path proxyDir = Files.createTempDirectory(dir, "proxy");
        try (RecordingProxy proxy = new RecordingProxy(proxyDir, daemon.runDir.resolve("sanlock.sock"))) {
            Reference.Result r = Reference.run(proxyDir, args);
            Thread.sleep(100); // the CLI has exited; let the pump threads record its last bytes
            List<byte[]> conns = proxy.connections();
            assertTrue(!conns.isEmpty(), "sanlock " + String.join(" ", args) + " sent nothing: " + r.out());
            return conns;
        }
    }

    @Test
    void cliRequests() throws Exception {
        String p = leases.toString();
        assertSameBytes("client status", concat(Requests.headerOnly(Command.STATUS, 0, 0, 0)), runCli("client", "status").get(0));
        assertSameBytes("client host_status -s LS",
                concat(Requests.hostStatusLike(Command.HOST_STATUS, Lockspace.named("LS"))), runCli("client", "host_status", "-s", "LS").get(0));
        assertSameBytes("client renewal -s LS",
                concat(Requests.hostStatusLike(Command.RENEWAL, Lockspace.named("LS"))), runCli("client", "renewal", "-s", "LS").get(0));
        assertSameBytes("client inq_lockspace", concat(Requests.lockspaceCommand(Command.INQ_LOCKSPACE, 0, 0, 0,
                Lockspace.of("LS", 1, p, 0))), runCli("client", "inq_lockspace", "-s", "LS:1:" + p + ":0").get(0));
        assertSameBytes("client add_lockspace -o 5 (already joined)", concat(Requests.addLockspace(Lockspace.of("LS", 1, p, 0), 5, 0)),
                runCli("client", "add_lockspace", "-s", "LS:1:" + p + ":0", "-o", "5").get(0));
        assertSameBytes("client inquire -p 4242", concat(Requests.headerOnly(Command.INQUIRE, 0, 0, 4242)),
                runCli("client", "inquire", "-p", "4242").get(0));
        assertSameBytes("client acquire -r … -p 4242", concat(Requests.acquire(4242, 0,
                List.of(Resource.of("LS", "R", p, MiB).withFlags(ResourceFlags.SHARED)), Options.NONE)),
                runCli("client", "acquire", "-r", "LS:R:" + p + ":" + MiB + ":SH", "-p", "4242").get(0));
        assertSameBytes("client release -a 1 -p 4242", concat(Requests.release(4242, 1, List.of())),
                runCli("client", "release", "-p", "4242", "-a", "1").get(0));
        assertSameBytes("client gets", concat(Requests.headerOnly(Command.GET_LOCKSPACES, 0, 0, 0)), runCli("client", "gets").get(0));
        assertSameBytes("client version", concat(Requests.headerOnly(Command.VERSION, 0, 0, 0)), runCli("client", "version").get(0));
        assertSameBytes("client request -f 2", concat(Requests.resourceWithDisks(Command.REQUEST, 0, 2, 0,
                Resource.of("LS", "R", p, MiB).withFlags(ResourceFlags.LVER).withLver(9))),
                runCli("client", "request", "-r", "LS:R:" + p + ":" + MiB + ":9", "-f", "2").get(0));
        assertSameBytes("client set_config -u 1", concat(Requests.lockspaceCommand(Command.SET_CONFIG, 0, 1, 0, Lockspace.named("LS"))),
                runCli("client", "set_config", "-s", "LS", "-u", "1").get(0));
        assertSameBytes("client log_dump", concat(Requests.headerOnly(Command.LOG_DUMP, 0, 0, 0)), runCli("client", "log_dump").get(0));
    }
}
