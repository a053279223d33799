package io.jsanlock.vm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvirsh ha}, {@code list --ha} and dominfo's HA lines on a host in manual lease mode
 * (no lease daemon needed: nothing here acquires).
 */
class HaCommandTest {
    @TempDir
    Path dir;

    /** jvirsh as this test's host (its own state directory). */
    JvirshInProcess.Result jvirsh(String... args) {
        String[] full = new String[args.length + 2];
        full[0] = "--state-dir";
        full[1] = dir.resolve("state").toString();
        System.arraycopy(args, 0, full, 2, args.length);
        return JvirshInProcess.run(full);
    }

    Path xml(String name, boolean lease) throws Exception {
        Path f = dir.resolve(name + ".xml");
        Files.writeString(f, "<domain type='kvm'>\n  <name>" + name + "</name>\n  <memory>65536</memory>\n  <devices>\n"
                + (lease ? "    <lease><lockspace>ls</lockspace><key>" + name + "</key><target path='/dev/null'/></lease>\n" : "")
                + "  </devices>\n</domain>\n");
        return f;
    }

    @Test
    void enablingStoresThePolicyInTheDefinitionAndShowsItInDominfoAndListHa() throws Exception {
        assertThat(jvirsh("define", xml("vm1", true).toString()).rc()).isZero();
        JvirshInProcess.Result r = jvirsh("ha", "vm1", "--enable", "--priority", "7");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("Domain vm1 HA enabled, priority 7\n\n");
        assertThat(jvirsh("dumpxml", "vm1").out())
                .contains("<jvirsh:ha xmlns:jvirsh=\"https://jsanlock.io/xmlns/jvirsh/ha/1\" enabled=\"yes\" priority=\"7\"/>");
        String info = jvirsh("dominfo", "vm1").out();
        assertThat(info).contains("Security DOI:   0\nHA:             enabled (priority 7)\nHA runs on:     unknown (since -)\n"
                + "HA restarts:    0 by this host\nHA blocked:     no\n");
        String list = jvirsh("list", "--ha").out();
        assertThat(list.lines().filter(l -> l.startsWith(" vm1 "))).singleElement().asString()
                .matches(" vm1 +shut off +7 +unknown +- +0 +no");
        assertThat(jvirsh("ha", "vm1", "--disable").out()).isEqualTo("Domain vm1 HA disabled, priority 7\n\n");
        assertThat(jvirsh("list", "--ha").out()).doesNotContain(" vm1 ");
        assertThat(jvirsh("ha", "vm1").out()).isEqualTo("Domain vm1 HA disabled, priority 7\n\n");
    }

    @Test
    void aDomainWithoutAPolicyKeepsVirshsDominfo() throws Exception {
        jvirsh("define", xml("vm1", true).toString());
        assertThat(jvirsh("dominfo", "vm1").out()).endsWith("Security DOI:   0\n\n");
    }

    @Test
    void haNeedsAnExclusiveLease() throws Exception {
        jvirsh("define", xml("vm2", false).toString());
        JvirshInProcess.Result r = jvirsh("ha", "vm2", "--enable");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: Failed to set the HA policy of domain vm2\nerror: unsupported configuration: HA needs an"
                + " exclusive lease (a <lease> or, with auto_disk_leases, a writable disk)\n");
    }

    @Test
    void badOptionsAreRefused() throws Exception {
        jvirsh("define", xml("vm1", true).toString());
        assertThat(jvirsh("ha", "vm1", "--priority", "11").err()).isEqualTo("error: HA priority must be 0..10, got 11\n");
        assertThat(jvirsh("ha", "vm1", "--enable", "--disable").err())
                .isEqualTo("error: Options --enable and --disable are mutually exclusive\n");
        assertThat(jvirsh("ha", "nosuch").err()).isEqualTo("error: failed to get domain 'nosuch'\n"
                + "error: Domain not found: no domain with matching name 'nosuch'\n");
    }

    @Test
    void clearLiftsABlockAndCountsIt() throws Exception {
        jvirsh("define", xml("vm1", true).toString());
        jvirsh("ha", "vm1", "--enable");
        new io.jsanlock.vm.ha.HaRecord("host 2", 1, 1, false, "lost its lease to fencing here (host 2 took it over)", 0, "", 0)
                .save(dir.resolve("state"), "vm1");
        assertThat(jvirsh("dominfo", "vm1").out()).contains("HA blocked:     lost its lease to fencing here (host 2 took it over)\n");
        assertThat(jvirsh("ha", "vm1", "--clear").out()).isEqualTo("Domain vm1 HA block cleared\nDomain vm1 HA enabled, priority 5\n\n");
        io.jsanlock.vm.ha.HaRecord r = io.jsanlock.vm.ha.HaRecord.load(dir.resolve("state"), "vm1");
        assertThat(r.blocked()).isEmpty();
        assertThat(r.clears()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("state/log/vm1.log"))).contains("ha: block 'lost its lease to fencing here"
                + " (host 2 took it over)' cleared by the operator");
    }
}
