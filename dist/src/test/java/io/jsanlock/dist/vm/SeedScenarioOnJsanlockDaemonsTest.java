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

    @Override
    String sharedDevice(TwoHosts hosts, Path file) {
        return hosts.attachLoop(file);
    }
}
