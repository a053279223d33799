package io.jsanlock.dist.vm;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;

/**
 * The seed scenario with jsanlock's own lease daemons ({@code bin/jsanlock daemon}) as Test1
 * and Test2, on a loop device. The reference sanlock CLI drives them, as the scenario's
 * operator does.
 */
class SeedScenarioOnJsanlockDaemonsTest extends SeedScenarioTestBase {
    @Override
    @BeforeEach
    void startHosts() throws Exception {
        hosts = new TwoHosts(tmp);
        hosts.startDaemon(1, TwoHosts.DaemonKind.JSANLOCK);
        hosts.startDaemon(2, TwoHosts.DaemonKind.JSANLOCK);
    }

    /**
     * The daemon's default io_timeout (10 s, joins take about 20 s): at this writing the
     * jsanlock daemon's add_lockspace does not apply a requested io_timeout to the join but
     * does to the renewal check, so with io_timeout 1 the new lockspace fails at once.
     */
    @Override
    int joinIoTimeout() {
        return 0;
    }

    @Override
    String sharedDevice(TwoHosts hosts, Path file) {
        return hosts.attachLoop(file);
    }
}
