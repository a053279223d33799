package io.jsanlock.daemon;

import io.jsanlock.testkit.TempDirs;
import io.jsanlock.base.SanlockException;
import io.jsanlock.client.SanlockClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jsanlock.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DaemonMain} as a process: sanlock's daemon options, the pid lock against a second daemon, SIGTERM. */
@Timeout(90)
class DaemonMainTest {

    static Process start(Path runDir, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), DaemonMain.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SANLOCK_RUN_DIR", runDir.toString());
        return pb.start();
    }

    @Test
    void runsRefusesASecondDaemonAndStopsOnSigterm() throws Exception {
        Path runDir = TempDirs.create("jsanlock-main").resolve("run");
        Process d = start(runDir, "-D", "-w", "0", "-l", "0", "-h", "0", "-U", "root", "-G", "root", "-e", "hostM");
        try {
            SanlockClient c = new SanlockClient(runDir);
            await("daemon up", Duration.ofMillis(30_000), () -> {
                try {
                    c.version();
                    return true;
                } catch (SanlockException e) {
                    return false;
                }
            });
            assertEquals("hostM", c.status(1).get(0).name());
            assertEquals(d.pid() + "\n", Files.readString(runDir.resolve("sanlock.pid")));

            Process second = start(runDir, "-D", "-e", "other");
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, second.exitValue(), out);
            assertThat(out).contains("another sanlock daemon is running").contains(Long.toString(d.pid()));
            assertEquals("3.8.5", c.version().text()); // the first one is untouched

            Process bad = start(runDir, "-x", "1");
            assertTrue(bad.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, bad.exitValue());
            assertThat(new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("unknown option: x");

            d.destroy(); // SIGTERM: clean shutdown
            assertTrue(d.waitFor(20, TimeUnit.SECONDS), "daemon did not stop on SIGTERM");
            assertEquals(-111, assertThrows(SanlockException.class, c::version).code());
            assertTrue(Files.exists(runDir.resolve("sanlock.pid")), "the reference leaves its pid file");
        } finally {
            d.destroyForcibly();
        }
    }
}
