package io.jsanlock.dist.vm;

import java.nio.file.Path;

/** The seed scenario with jsanlock's own lease daemons as Test1 and Test2, on a plain file. */
class SeedScenarioOnJsanlockDaemonsFileTest extends SeedScenarioOnJsanlockDaemonsTest {
    @Override
    String sharedDevice(TwoHosts hosts, Path file) {
        return file.toString();
    }
}
