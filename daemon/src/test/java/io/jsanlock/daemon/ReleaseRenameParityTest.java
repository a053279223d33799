package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.MonotonicClock;
import io.jsanlock.engine.LeaseEngine;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.client.SanlockClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RELEASE with SANLK_REL_RENAME as lvmlockd's vgremove sends it: libsanlock's own
 * {@code sanlock_release(fd, -1, SANLK_REL_RENAME, 2, {res, res_with_new_name})}, called
 * through ctypes (python3-sanlock has no rename). The reference daemon and the jsanlock
 * daemon each hold the lease R (host 1, own lease file) for the calling process, then
 * release-rename it to {@code invalid_removed}; the results must be equal, and so must
 * the leader sector and host 1's dblock sector afterwards, except the fields that hold
 * each daemon's clock (leader write_timestamp and checksum, dblock inp3 and checksum).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ReleaseRenameParityTest {
    static final long MiB = 1048576L;
    static final Path SANLOCK = Path.of("/usr/sbin/sanlock");
    static final Path PYTHON = Path.of("/usr/bin/python3");

    /** libsanlock through ctypes; sanlk_resource/sanlk_disk as in sanlock.h (wire.md 3). */
    static final String SCRIPT = """
            import ctypes, sys
            lib = ctypes.CDLL("libsanlock.so.1")
            class Disk(ctypes.Structure):
                _fields_ = [("path", ctypes.c_char * 1024), ("offset", ctypes.c_uint64),
                            ("pad1", ctypes.c_uint32), ("pad2", ctypes.c_uint32)]
            class Res(ctypes.Structure):
                _fields_ = [("lockspace_name", ctypes.c_char * 48), ("name", ctypes.c_char * 48),
                            ("lver", ctypes.c_uint64), ("data64", ctypes.c_uint64), ("data32", ctypes.c_uint32),
                            ("unused", ctypes.c_uint32), ("flags", ctypes.c_uint32), ("num_disks", ctypes.c_uint32),
                            ("disks", Disk * 1)]
            path, off = sys.argv[1].encode(), int(sys.argv[2])
            def res(name):
                r = Res(); r.lockspace_name = b"LS"; r.name = name; r.num_disks = 1
                r.disks[0].path = path; r.disks[0].offset = off
                return r
            SANLK_REL_RENAME = 0x2
            fd = lib.sanlock_register()
            print("register", "ok" if fd >= 0 else fd)
            held = res(b"R")
            print("acquire", lib.sanlock_acquire(fd, -1, 0, 1, (ctypes.c_void_p * 1)(ctypes.addressof(held)), None))
            renamed = res(b"invalid_removed")
            both = (ctypes.c_void_p * 2)(ctypes.addressof(held), ctypes.addressof(renamed))
            print("release_rename", lib.sanlock_release(fd, -1, SANLK_REL_RENAME, 2, both))
            print("release_again", lib.sanlock_release(fd, -1, 0, 1, (ctypes.c_void_p * 1)(ctypes.addressof(held))))
            """;

    Path dir;
    Daemon jd;
    long refPid;
    Path jRun;
    Path refRun;

    record Result(int exit, String out) {}

    static Result run(Path runDir, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (runDir != null) {
            pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    static void sanlock(Path runDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SANLOCK.toString()));
        cmd.addAll(List.of(args));
        Result r = run(runDir, cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r.out());
    }

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isExecutable(SANLOCK), "reference sanlock missing at " + SANLOCK);
        assertTrue(Files.isExecutable(PYTHON), "python3 missing at " + PYTHON);
        dir = TempDirs.create("jsanlock-rel-rename");
        Files.writeString(dir.resolve("rename.py"), SCRIPT);
        jRun = dir.resolve("jrun");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostX").withRunDir(jRun);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        jd = new Daemon(o, new EngineBackend(LeaseEngine.builder("hostX").build(), log), log, MonotonicClock.SYSTEM);
        jd.start();
        refRun = dir.resolve("rrun");
        refPid = Reference.startDaemon(refRun, "hostX");
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

    /** Runs the rename on the daemon in {@code runDir}; returns the script's output and the masked sectors. */
    String renameOn(Path runDir, String name) throws Exception {
        Path leases = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(leases.toFile(), "rw")) {
            f.setLength(3 * MiB);
        }
        sanlock(null, "direct", "init", "-s", "LS:0:" + leases + ":0", "-o", "1");
        sanlock(null, "direct", "init", "-r", "LS:R:" + leases + ":" + MiB);
        new SanlockClient(runDir).addLockspace(Lockspace.of("LS", 1, leases.toString(), 0), 1, false);
        Result r = run(runDir, List.of(PYTHON.toString(), dir.resolve("rename.py").toString(), leases.toString(), Long.toString(MiB)));
        assertEquals(0, r.exit(), r.out());
        byte[] leader = new byte[512];
        byte[] dblock = new byte[512];
        try (RandomAccessFile f = new RandomAccessFile(leases.toFile(), "r")) {
            f.seek(MiB);
            f.readFully(leader);
            f.seek(MiB + 2 * 512); // host 1's dblock: sector 2 of the lease
            f.readFully(dblock);
        }
        mask(leader, 168, 4); // checksum (covers the write timestamp)
        mask(leader, 192, 8); // write_timestamp: the writer's monotonic clock
        mask(dblock, 32, 8); // inp3: the acquirer's monotonic clock
        mask(dblock, 48, 4); // checksum (covers inp3)
        String dump = run(null, List.of(SANLOCK.toString(), "direct", "dump", leases + ":" + MiB)).out();
        return r.out() + "dump:\n" + dump + "leader:\n" + HexFormat.of().formatHex(leader) + "\ndblock 1:\n"
                + HexFormat.of().formatHex(dblock) + "\n";
    }

    static void mask(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            b[i] = (byte) 0xee;
        }
    }

    @Test
    void releaseWithRenameRenamesTheLeaseOnDiskAsTheReferenceDoes() throws Exception {
        String ref = renameOn(refRun, "ref-leases");
        String mine = renameOn(jRun, "jsl-leases");
        assertTrue(ref.startsWith("register ok\nacquire 0\nrelease_rename 0\nrelease_again -1\n"), ref);
        assertTrue(ref.contains(" invalid_removed "), "the reference renamed the lease:\n" + ref);
        assertEquals(ref.replace("ref-leases", "PATH"), mine.replace("jsl-leases", "PATH"));
    }
}
