package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.testkit.Reference;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's python3-sanlock runs one script against the reference daemon and against
 * the jsanlock daemon (each with its own lease file, host 1, io_timeout 1); every result
 * is printed with run-dependent values (timestamps, paths) masked, and the two outputs
 * must be equal line by line. The two runs go side by side: they share nothing (own daemon, own
 * run directory, own lease file), and each is mostly waiting for its daemon's lockspace joins.
 */
@Timeout(180)
// the second lane (TestLanes): side by side with the module's other classes, one such class at a time
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestLanes.REFERENCE_PARITY)
@Tag("slow") // python3-sanlock against both daemons, each joining (~12 s): the whole suite runs it, bin/test --fast (the inner loop, under 3 min) does not
class PythonParityTest {
    static final String SCRIPT = """
            import sanlock, sys, re, time
            path = sys.argv[1]
            base = sys.argv[2]
            def mask(v):
                s = repr(v).replace(path, "PATH")
                return re.sub(r"'timestamp': \\d+", "'timestamp': T", s)
            def show(name, f):
                try:
                    print(name, mask(f()))
                except sanlock.SanlockException as e:
                    print(name, "error", e.errno)
            show("write_lockspace", lambda: sanlock.write_lockspace(b"LS", path, 0, iotimeout=1))
            show("read_lockspace", lambda: sanlock.read_lockspace(path, 0))
            show("write_resource", lambda: sanlock.write_resource(b"LS", b"R", [(path, 1048576)]))
            show("write_resource2", lambda: sanlock.write_resource(b"LS", b"R2", [(path, 2097152)]))
            show("read_resource", lambda: sanlock.read_resource(path, 1048576))
            show("read_resource_bad", lambda: sanlock.read_resource(path, 3145728))
            show("inq_lockspace_before", lambda: sanlock.inq_lockspace(b"LS", 1, path, 0))
            show("add_lockspace", lambda: sanlock.add_lockspace(b"LS", 1, path, 0, iotimeout=1))
            show("add_lockspace_again", lambda: sanlock.add_lockspace(b"LS", 1, path, 0, iotimeout=1))
            show("inq_lockspace", lambda: sanlock.inq_lockspace(b"LS", 1, path, 0))
            show("get_lockspaces", lambda: sanlock.get_lockspaces())
            fd = sanlock.register()
            show("killpath", lambda: sanlock.killpath(b"/bin/true", [b"a b", b"c"], slkfd=fd))
            show("acquire", lambda: sanlock.acquire(b"LS", b"R", [(path, 1048576)], slkfd=fd))
            show("acquire_again", lambda: sanlock.acquire(b"LS", b"R", [(path, 1048576)], slkfd=fd))
            show("acquire_shared", lambda: sanlock.acquire(b"LS", b"R2", [(path, 2097152)], slkfd=fd, shared=True))
            show("inquire", lambda: sanlock.inquire(slkfd=fd))
            show("owners", lambda: [ (h["host_id"], h["generation"]) for h in sanlock.read_resource_owners(b"LS", b"R", [(path, 1048576)])])
            show("owners_shared", lambda: [ (h["host_id"], h["generation"]) for h in sanlock.read_resource_owners(b"LS", b"R2", [(path, 2097152)])])
            show("request_old", lambda: sanlock.request(b"LS", b"R", [(path, 1048576)], action=sanlock.REQ_FORCE, version=1))
            show("release", lambda: sanlock.release(b"LS", b"R", [(path, 1048576)], slkfd=fd))
            show("release_again", lambda: sanlock.release(b"LS", b"R", [(path, 1048576)], slkfd=fd))
            show("release_shared", lambda: sanlock.release(b"LS", b"R2", [(path, 2097152)], slkfd=fd))
            show("inquire_empty", lambda: sanlock.inquire(slkfd=fd))
            show("read_resource_after", lambda: sanlock.read_resource(path, 1048576))
            D = [(path, 1048576)]
            show("acquire_lvb", lambda: sanlock.acquire(b"LS", b"R", D, slkfd=fd, lvb=True))
            show("get_lvb_initial", lambda: sanlock.get_lvb(b"LS", b"R", D, 8))
            show("set_lvb", lambda: sanlock.set_lvb(b"LS", b"R", D, b"hello-lvb"))
            show("get_lvb", lambda: sanlock.get_lvb(b"LS", b"R", D, 16))
            show("release_lvb", lambda: sanlock.release(b"LS", b"R", D, slkfd=fd))
            show("set_lvb_not_held", lambda: sanlock.set_lvb(b"LS", b"R", D, b"x"))
            show("acquire_lvb2", lambda: sanlock.acquire(b"LS", b"R", D, slkfd=fd, lvb=True))
            show("get_lvb_after_release", lambda: sanlock.get_lvb(b"LS", b"R", D, 16))
            show("release_lvb2", lambda: sanlock.release(b"LS", b"R", D, slkfd=fd))
            show("acquire_plain", lambda: sanlock.acquire(b"LS", b"R", D, slkfd=fd))
            show("set_lvb_without_flag", lambda: sanlock.set_lvb(b"LS", b"R", D, b"x"))
            show("release_plain", lambda: sanlock.release(b"LS", b"R", D, slkfd=fd))
            show("acquire_lver_wrong", lambda: sanlock.acquire(b"LS", b"R", [(path, 1048576)], slkfd=fd, version=99))
            show("acquire_unknown_ls", lambda: sanlock.acquire(b"NOPE", b"R", [(path, 1048576)], slkfd=fd))
            for i in range(50):
                try:
                    hosts = sanlock.get_hosts(b"LS")
                    break
                except sanlock.SanlockException as e:
                    time.sleep(0.2)
            show("get_hosts", lambda: [(h["host_id"], h["flags"]) for h in sanlock.get_hosts(b"LS")])
            show("get_hosts_unknown", lambda: sanlock.get_hosts(b"NOPE"))
            efd = sanlock.reg_event(b"LS")
            show("get_event_none", lambda: sanlock.get_event(efd))
            show("set_event", lambda: sanlock.set_event(b"LS", 1, 0, 7, 9))
            show("set_event_busy", lambda: sanlock.set_event(b"LS", 1, 0, 8, 9))
            show("set_event_host0", lambda: sanlock.set_event(b"LS", 0, 0, 7, 9))
            show("set_event_unknown", lambda: sanlock.set_event(b"NOPE", 1, 0, 7, 9))
            show("reg_event_unknown", lambda: sanlock.reg_event(b"NOPE"))
            show("end_event", lambda: sanlock.end_event(efd, b"LS"))
            show("rem_lockspace", lambda: sanlock.rem_lockspace(b"LS", 1, path, 0))
            show("inq_lockspace_after", lambda: sanlock.inq_lockspace(b"LS", 1, path, 0))
            show("rem_lockspace_again", lambda: sanlock.rem_lockspace(b"LS", 1, path, 0))
            show("add_async", lambda: sanlock.add_lockspace(b"LS", 1, path, 0, iotimeout=1, wait=False))
            show("inq_wait", lambda: sanlock.inq_lockspace(b"LS", 1, path, 0, wait=True))
            show("rem_async", lambda: sanlock.rem_lockspace(b"LS", 1, path, 0, wait=False))
            for i in range(100):
                if sanlock.inq_lockspace(b"LS", 1, path, 0) is False:
                    break
                time.sleep(0.1)
            show("inq_after_rem_async", lambda: sanlock.inq_lockspace(b"LS", 1, path, 0))
            """;

    static String runScript(Path runDir, Path leases) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-c", SCRIPT, leases.toString(), "x").redirectErrorStream(true);
        pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python hung");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void sameResultsFromBothDaemons() throws Exception {
        Path dir = TempDirs.create("jsanlock-pyparity");
        Path refLeases = dir.resolve("ref-leases");
        Path jLeases = dir.resolve("j-leases");
        Files.write(refLeases, new byte[4 << 20]);
        Files.write(jLeases, new byte[4 << 20]);

        Path refRun = dir.resolve("refrun");
        long refPid = Reference.startDaemon(refRun, "hostP");

        Path jRun = dir.resolve("jrun");
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        Daemon jd = new Daemon(DaemonOptions.parse("-D", "-e", "hostP").withRunDir(jRun),
                new EngineBackend(LeaseEngine.builder("hostP").build(), log), log, MonotonicClock.SYSTEM);
        jd.start();
        try {
            java.util.concurrent.CompletableFuture<String> refRunning = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return runScript(refRun, refLeases);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            String mine = runScript(jRun, jLeases);
            String ref = refRunning.get(150, TimeUnit.SECONDS);
            System.out.println("python3-sanlock against the reference daemon:\n" + ref);
            // the script really exercised leases (not just errors on both sides)
            org.assertj.core.api.Assertions.assertThat(ref).contains("acquire None\n", "add_lockspace None\n",
                    "inquire [{'lockspace': b'LS', 'resource': b'R'", "release_again error 1\n", "inq_lockspace True\n",
                    "set_event None\n", "set_event_busy error 16\n");
            String[] a = ref.split("\n");
            String[] b = mine.split("\n");
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                assertEquals(a[i], b[i], "line " + (i + 1) + " differs\nreference:\n" + ref + "\njsanlock:\n" + mine);
            }
            assertEquals(a.length, b.length, "reference:\n" + ref + "\njsanlock:\n" + mine);
        } finally {
            jd.shutdown();
            Reference.kill(refPid);
        }
    }
}
