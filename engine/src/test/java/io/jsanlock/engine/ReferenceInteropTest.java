package io.jsanlock.engine;

import io.jsanlock.testkit.Async;
import static io.jsanlock.testkit.SanlockConditions.failsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import io.jsanlock.format.Leader;
import io.jsanlock.format.LockspaceSpec;
import io.jsanlock.format.ResourceSpec;
import io.jsanlock.lease.HostState;
import io.jsanlock.testkit.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mixed clusters: a reference sanlock daemon (host 1, "refA") and jsanlock
 * engines on one lease file or loop device, io_timeout 1 everywhere. Its cases run one at a
 * time, beside {@link ReferenceTakeoverTest} (which says why that is safe).
 */
@Tag("slow") // mixed reference/jsanlock hosts in real time, ~75 s
class ReferenceInteropTest {
    static final long R1 = 1L << 20;
    static final long R2 = 2L << 20;

    @TempDir
    Path tmp;
    String path;
    String loop;
    final List<AutoCloseable> cleanup = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        if (loop != null) {
            Reference.detachLoop(loop);
        }
    }

    void setUp(boolean onLoop) throws Exception {
        Reference.require();
        Path file = tmp.resolve("leases");
        Reference.createFile(file, 4L << 20);
        path = file.toString();
        if (onLoop) {
            loop = Reference.attachLoop(file);
            path = loop;
        }
        Reference.initLeases(path, "LS", "R1", "R2");
    }

    Reference.Daemon daemon(String name, long hostId) throws Exception {
        Reference.Daemon d = Reference.Daemon.start(tmp.resolve("run-" + name), name);
        cleanup.add(d);
        d.join("LS", hostId, path);
        return d;
    }

    LeaseEngine engine(String name, long hostId) throws Exception {
        LeaseEngine e = LeaseEngine.builder(name).build();
        cleanup.add(e);
        e.addLockspace(new LockspaceSpec("LS", hostId, path, 0), 1);
        return e;
    }

    /**
     * A join started beside the test's own (different host ids: nothing to contend for), as a
     * cluster's hosts boot: each join is mostly the delta lease's waits, so side by side they take
     * the time of one.
     */
    static <T> java.util.concurrent.CompletableFuture<T> joining(Callable<T> join) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return join.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Async.executor());
    }

    static <T> T joined(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        try {
            return f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    ResourceSpec res(String name, long off) {
        return new ResourceSpec("LS", name, List.of(new ResourceSpec.Disk(path, off)), 0, false, false);
    }

    String refRes(String name, long off) {
        return "LS:" + name + ":" + path + ":" + off;
    }

    static <T> T eventually(String what, long seconds, Callable<T> attempt) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = attempt.call();
                if (v != null && !Boolean.FALSE.equals(v)) {
                    return v;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out: " + what, last);
    }

    static int code(Throwable t) {
        return ((SanlockException) t).code();
    }

    /** (a) the reference holds R1: -243 for jsanlock; after the holder exits jsanlock gets it with lver+1. */
    @ParameterizedTest(name = "loop device: {0}")
    @ValueSource(booleans = {false, true})
    void referenceHoldsJsanlockGetsIdLiveThenAcquires(boolean onLoop) throws Exception {
        setUp(onLoop);
        var jJoin = joining(() -> engine("jsanB", 2));
        Reference.Daemon ref = daemon("refA", 1);
        LeaseEngine j = joined(jJoin);
        Process holder = ref.hold(refRes("R1", R1));
        Leader held = eventually("reference holds R1", 20, () -> {
            Leader l = Reference.leader(path, R1);
            return l.timestamp() != 0 && l.ownerId() == 1 ? l : null;
        });
        assertThatThrownBy(() -> j.acquire(res("R1", R1), AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.ACQUIRE_IDLIVE));
        holder.destroyForcibly();
        ResourceLease l = eventually("jsanlock acquires after the holder exited", 30,
                () -> j.acquire(res("R1", R1), AcquireOptions.exclusive()));
        assertThat(l.lver()).isEqualTo(held.lver() + 1);
        String[] row = Reference.dumpRow(path, R1);
        assertThat(row[4]).isEqualTo("0002");
        assertThat(row[6]).isEqualTo(Long.toString(held.lver() + 1));
        j.release(l);
        assertThat(Reference.dumpRow(path, R1)[3]).isEqualTo("0000000000");
    }

    /** (b) jsanlock holds R1: the reference's acquire fails -243; after jsanlock releases it acquires. */
    @ParameterizedTest(name = "loop device: {0}")
    @ValueSource(booleans = {false, true})
    void jsanlockHoldsReferenceGetsIdLiveThenAcquires(boolean onLoop) throws Exception {
        setUp(onLoop);
        var jJoin = joining(() -> engine("jsanB", 2));
        Reference.Daemon ref = daemon("refA", 1);
        LeaseEngine j = joined(jJoin);
        ResourceLease l = j.acquire(res("R1", R1), AcquireOptions.exclusive());
        Reference.Result r = ref.cli("client", "command", "-r", refRes("R1", R1), "-c", "/bin/true");
        assertThat(r.out()).contains("acquire done -243");
        assertThat(r.exit()).isNotZero();
        j.release(l);
        Reference.Result ok = ref.cli("client", "command", "-r", refRes("R1", R1), "-c", "/bin/true");
        assertThat(ok.exit()).as(ok.out()).isZero();
        Leader after = Reference.leader(path, R1);
        assertThat(after.ownerId()).isEqualTo(1);
        assertThat(after.lver()).isEqualTo(l.lver() + 1);
    }

    /** (d) both sides see each other's host ids and generations as live, and a host that leaves as free. */
    @Test
    void referenceAndJsanlockSeeEachOtherLiveAndALeaverAsFree() throws Exception {
        setUp(false);
        var jJoin = joining(() -> engine("jsanB", 2));
        Reference.Daemon ref = daemon("refA", 1);
        LeaseEngine j = joined(jJoin);
        eventually("jsanlock sees host 1 LIVE gen 1", 20, () -> j.hosts("LS").stream()
                .anyMatch(h -> h.hostId() == 1 && h.generation() == 1 && h.state() == HostState.LIVE
                        && h.name().equals("refA")));
        eventually("reference sees host 2 LIVE gen 1", 20, () -> {
            String out = ref.cli("client", "gets", "-h", "1").out();
            return out.matches("(?s).*h 2 gen 1 timestamp \\d+ LIVE.*") ? out : null;
        });
        // host events both ways (set_event; scenario-07's encoding)
        List<HostEvent> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        j.addListener(new LockspaceListener() {
            @Override
            public void hostEvent(HostEvent e) {
                got.add(e);
            }
        });
        Reference.check(ref.runDir, "client", "set_event", "-s", "LS:1:" + path + ":0", "-i", "2", "-g", "1", "-e", "7",
                "-d", "99");
        eventually("jsanlock receives the reference's event", 20, () -> !got.isEmpty());
        assertThat(got.get(0)).isEqualTo(new HostEvent("LS", 1, 1, 1, 7, 99));
        // timestamps are both hosts' CLOCK_MONOTONIC seconds (same machine): close to each other
        long refTs = j.hostStatus("LS", 1).orElseThrow().timestamp();
        assertThat(Math.abs(refTs - j.clock().seconds())).isLessThan(10);
        j.removeLockspace("LS", false);
        String[] last = {""};
        try {
            eventually("reference sees host 2 FREE", 20, () -> {
                String out = ref.cli("client", "gets", "-h", "1").out();
                last[0] = out;
                // the reference lists a host whose slot is free as FREE, or (3.8.5 get_hosts) not at all
                boolean gone = !out.contains("h 2 ") || out.matches("(?s).*h 2 gen 1 timestamp 0+ FREE.*");
                return gone && out.contains("h 1 gen 1") ? out : null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last output:\n" + last[0], e);
        }
        // and the other way round
        j.addLockspace(new LockspaceSpec("LS", 2, path, 0), 1);
        assertThat(j.lockspace("LS").orElseThrow().generation()).isEqualTo(2);
        ref.cli("client", "rem_lockspace", "-s", "LS:1:" + path + ":0");
        eventually("jsanlock sees host 1 FREE", 20, () -> j.hosts("LS").stream()
                .anyMatch(h -> h.hostId() == 1 && h.state() == HostState.FREE));
    }

    /** (e) shared leases held by a reference host and a jsanlock host at once; exclusive refused meanwhile. */
    @Test
    void sharedLeaseHeldByBothAndExclusiveRefused() throws Exception {
        setUp(false);
        Reference.Daemon ref = daemon("refA", 1);
        LeaseEngine j = engine("jsanB", 2);
        LeaseEngine k = engine("jsanC", 3);
        ref.hold(refRes("R1", R1) + ":SH");
        eventually("reference holds R1 shared", 20, () -> {
            String out = Reference.check(null, "direct", "dump", path, "-f", "1").out();
            return out.contains("0001 0001 SH") ? out : null;
        });
        ResourceLease sh = j.acquire(res("R1", R1), AcquireOptions.shared());
        String dump = Reference.check(null, "direct", "dump", path, "-f", "1").out();
        assertThat(dump).contains("0001 0001 SH", "0002 0001 SH");
        eventually("jsanC has seen both holders", 20, () -> k.hosts("LS").stream()
                .filter(h -> (h.hostId() == 1 || h.hostId() == 2) && h.state() == HostState.LIVE).count() == 2);
        assertThatThrownBy(() -> k.acquire(res("R1", R1), AcquireOptions.exclusive()))
                .is(failsWith(SanlockError.EAGAIN));
        Reference.Daemon ref2 = daemon("refD", 4);
        Reference.Result r = ref2.cli("client", "command", "-r", refRes("R1", R1), "-c", "/bin/true");
        assertThat(r.out()).contains("acquire done -11");
        assertThat(Files.exists(Path.of(path))).isTrue();
        j.release(sh);
        assertThat(Reference.check(null, "direct", "dump", path, "-f", "1").out()).doesNotContain("0002 0001 SH");
    }
}
