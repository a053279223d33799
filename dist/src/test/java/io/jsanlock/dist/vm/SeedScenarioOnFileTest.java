package io.jsanlock.dist.vm;

import java.nio.file.Path;

/** The seed scenario with the shared device as a plain file. */
class SeedScenarioOnFileTest extends SeedScenarioTestBase {
    @Override
    String sharedDevice(TwoHosts hosts, Path file) {
        return file.toString();
    }
}
