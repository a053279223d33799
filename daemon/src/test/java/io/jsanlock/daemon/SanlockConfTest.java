package io.jsanlock.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sanlock.conf lines the reference reads differently from jsanlock on purpose, and the log lines
 * every doubtful line gets (the keys themselves are compared with the reference in dist's
 * SanlockConfParityTest).
 */
class SanlockConfTest {
    @TempDir
    Path tmp;

    private SanlockConf.Result read(String text) throws IOException {
        Path f = tmp.resolve("sanlock.conf");
        Files.writeString(f, text);
        return SanlockConf.read(f, DaemonOptions.defaults());
    }

    @Test
    void aLineWithoutValueIsIgnoredAndLoggedNotGivenThePreviousLinesValue() throws IOException {
        SanlockConf.Result r = read("renewal_history_size = 7\nsh_retries=\nhigh_priority 1\n");
        assertEquals(7, r.options().renewalHistorySize());
        assertEquals(8, r.options().shRetries(), "the reference would take 7 from the line before");
        assertFalse(r.options().highPriority());
        assertTrue(r.notes().get(0).endsWith(":2: sh_retries has no value (expected sh_retries = VALUE): ignored"), r.notes().toString());
        assertTrue(r.notes().get(1).endsWith(":3: high_priority has no value (expected high_priority = VALUE): ignored"), r.notes().toString());
    }

    @Test
    void unknownKeysNonNumbersAndKeysWithoutEffectAreLoggedNeverFatal() throws IOException {
        SanlockConf.Result r = read("bogus = 1\nquiet_fail = zero\nnames_log_priority = 7\n\t max_worker_threads = 3\n");
        assertFalse(r.options().quietFail(), "atoi(\"zero\") is 0, as the reference reads it");
        assertEquals(8, r.options().maxWorkerThreads(), "an indented key is no key");
        assertEquals(4, r.notes().size(), r.notes().toString());
        assertTrue(r.notes().get(0).contains("unknown key 'bogus' ignored"));
        assertTrue(r.notes().get(1).contains("quiet_fail = zero is not a number: read as 0"));
        assertTrue(r.notes().get(2).contains("names_log_priority = 7 accepted, no effect"));
        assertTrue(r.notes().get(3).contains("no key at the start of the line"));
    }

    @Test
    void theCommandLineWinsOverTheFile() throws IOException, io.jsanlock.base.SanlockException {
        SanlockConf.Result r = read("quiet_fail = 0\nour_host_name = from-file\nmax_worker_threads = 5\n");
        DaemonOptions o = DaemonOptions.parse(r.options(), "-Q", "1", "-e", "from-args");
        assertTrue(o.quietFail());
        assertEquals("from-args", o.hostName());
        assertEquals(5, o.maxWorkerThreads());
    }

    @Test
    void anUnreadableFileIsLoggedAndTheDefaultsStay() throws IOException {
        Path dir = tmp.resolve("a-directory");
        Files.createDirectory(dir);
        SanlockConf.Result r = SanlockConf.read(dir, DaemonOptions.defaults());
        assertEquals(DaemonOptions.defaults().renewalHistorySize(), r.options().renewalHistorySize());
        assertEquals(1, r.notes().size());
        assertTrue(r.notes().get(0).startsWith("config " + dir + " not read: "), r.notes().toString());
    }

    @Test
    void jsanlocksOwnKeysSetTheMetricsAddressAndTheRenewalWarningAndMinusMWins() throws Exception {
        SanlockConf.Result r = read("metrics_address = 127.0.0.1:9464\nrenewal_warn_percent = 70\n");
        assertTrue(r.notes().isEmpty(), r.notes().toString());
        assertEquals("127.0.0.1:9464", r.options().metricsAddress());
        assertEquals(70, r.options().renewalWarnPercent());
        assertEquals("[::1]:9000", DaemonOptions.parse(r.options(), "-M", "[::1]:9000").metricsAddress());
        assertEquals("", DaemonOptions.defaults().metricsAddress(), "not served unless asked for");
        assertEquals(50, DaemonOptions.defaults().renewalWarnPercent());
    }

    @Test
    void aRenewalWarningPercentOutside1To100IsLoggedAndTheDefaultKept() throws IOException {
        SanlockConf.Result r = read("renewal_warn_percent = 0\nrenewal_warn_percent = 101\n");
        assertEquals(50, r.options().renewalWarnPercent());
        assertEquals(2, r.notes().size(), r.notes().toString());
        assertTrue(r.notes().get(0).endsWith("renewal_warn_percent = 0 is not 1..100: 50 kept"), r.notes().toString());
    }

    @Test
    void aMetricsAddressThatIsNotHostPortIsRefusedOnTheCommandLineAndIgnoredWithANoteInTheFile() throws IOException {
        io.jsanlock.base.SanlockException e = org.junit.jupiter.api.Assertions.assertThrows(io.jsanlock.base.SanlockException.class,
                () -> DaemonOptions.parse("-M", "127.0.0.1:http"));
        assertEquals(-22, e.code());
        assertEquals("metrics address '127.0.0.1:http': expected HOST:PORT (e.g. 127.0.0.1:9464)", e.getMessage());
        SanlockConf.Result r = read("metrics_address = 127.0.0.1:99999\n");
        assertEquals("", r.options().metricsAddress());
        assertTrue(r.notes().get(0).endsWith(":1: metrics address '127.0.0.1:99999': expected HOST:PORT (e.g. 127.0.0.1:9464): not served"),
                r.notes().toString());
    }
}
