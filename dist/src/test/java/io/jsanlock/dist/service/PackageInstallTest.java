package io.jsanlock.dist.service;

import io.jsanlock.testkit.Repo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Debian package, installed into a scratch root and run from there as jsanlock.service
 * runs it: dist/src/test/sh/package-install-check (which lists what it checks).
 */
@Tag("slow") // builds and installs the Debian package
class PackageInstallTest {
    @Test
    void packageInstalledInAScratchRootRunsAsTheUnitRunsIt() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash",
                Repo.root().resolve("dist/src/test/sh/package-install-check").toString()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "package check timed out");
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("package checks passed"), out);
    }
}
