package io.jsanlock.dist.vm;

import java.nio.file.Path;

/**
 * The seed scenario on a real block device (a loop device over a file, detached in teardown),
 * as the write-up's /dev/mapper/raw; part 1 then fails exactly as with the write-up's LV.
 */
class SeedScenarioOnLoopDeviceTest extends SeedScenarioTestBase {
    @Override
    String sharedDevice(TwoHosts hosts, Path file) {
        return hosts.attachLoop(file);
    }
}
