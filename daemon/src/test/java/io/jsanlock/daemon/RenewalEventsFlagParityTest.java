package io.jsanlock.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.base.MonotonicClock;
import io.jsanlock.client.EventChannel;
import io.jsanlock.client.SanlockClient;
import io.jsanlock.engine.StorageOpener;
import io.jsanlock.testkit.Reference;
import io.jsanlock.wire.JsanlockEvents;
import io.jsanlock.wire.Lockspace;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REG_EVENT flag that asks for jsanlock's renewal events ({@link JsanlockEvents#REG_RENEWAL_EVENTS})
 * is harmless to sanlock: the reference daemon, given the same request as jsanlock's, registers an
 * ordinary event channel (result 0), on which nothing arrives unasked — as on jsanlock's.
 */
@Timeout(60)
class RenewalEventsFlagParityTest {
    @TempDir
    Path dir;

    static void registerWithTheFlag(SanlockClient client) throws Exception {
        try (EventChannel ch = client.registerEvents("LS", JsanlockEvents.REG_RENEWAL_EVENTS)) {
            assertThat(ch.next(0)).as("nothing arrives unasked").isNull();
        }
    }

    @Test
    void bothDaemonsRegisterAChannelWithTheJsanlockFlag() throws Exception {
        Path leases = dir.resolve("leases");
        Reference.initLeaseFile(leases, "LS");
        try (Reference.Daemon ref = Reference.Daemon.start(dir.resolve("run-ref"), "hostRef")) {
            ref.join("LS", 1, leases.toString());
            registerWithTheFlag(new SanlockClient(ref.runDir));
        }

        Path run = dir.resolve("run-js");
        DaemonOptions o = DaemonOptions.parse("-D", "-w", "0", "-e", "hostJs").withRunDir(run);
        DaemonLog log = new DaemonLog(MonotonicClock.SYSTEM, null, 7);
        DaemonObservability obs = DaemonObservability.create(o, MonotonicClock.SYSTEM, log);
        LeaseBackend backend = DaemonMain.engineBackend(new DaemonMain.DaemonContext(o, log, MonotonicClock.SYSTEM), null,
                obs.headroom, obs.storage(StorageOpener.DIRECT));
        Daemon d = new Daemon(o, backend, log, MonotonicClock.SYSTEM);
        obs.serve(d, backend, null);
        d.start();
        try {
            SanlockClient c = new SanlockClient(run);
            c.addLockspace(Lockspace.of("LS", 2, leases.toString(), 0), 1, false);
            registerWithTheFlag(c);
        } finally {
            d.shutdown();
        }
    }
}
