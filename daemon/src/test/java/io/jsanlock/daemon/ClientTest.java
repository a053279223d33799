package io.jsanlock.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.wire.Disk;
import io.jsanlock.wire.Resource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease bookkeeping a {@link Client} keeps, and the invariants it guards under its own monitor. */
class ClientTest {
    static HeldLease lease(String name, boolean persistent) {
        Resource r = new Resource("LS", name, 0, 0, 0, 0, 1, List.of(new Disk("/dev/null", 1048576)));
        return new HeldLease(r, false, 1, persistent, false, null);
    }

    static Client registered(int pid) {
        Client c = new Client(2, null, false, "");
        c.register(pid);
        return c;
    }

    @Test
    void aClientThatDiedTakesNoLeaseAndHandsItsLeasesOutOnce() {
        Client c = registered(4242);
        assertThat(c.addLeases(List.of(lease("A", false), lease("P", true)), "vm")).isTrue();
        assertThat(c.connectionClosed()).as("no command running: release now").isTrue();
        assertThat(c.addLeases(List.of(lease("B", false)), "vm")).as("dead: nothing recorded").isFalse();

        List<LeaseBackend.ClientLeases> releasing = new ArrayList<>();
        Client.Exit exit = c.takeLeasesAtExit(releasing);
        assertThat(exit.pid()).isEqualTo(4242);
        assertThat(exit.leases()).extracting(l -> l.resource().name()).containsExactly("A", "P");
        assertThat(releasing).as("listed as being released: the non-persistent ones")
                .containsExactly(new LeaseBackend.ClientLeases(4242, List.of(lease("A", false))));
        assertThat(c.takeLeasesAtExit(releasing)).as("only once").isNull();
        assertThat(c.leases()).isEmpty();
    }

    @Test
    void oneCommandAtATimeTargetsAClientAndADeathMeanwhileIsReportedAtItsEnd() {
        Client c = registered(4242);
        assertThat(c.beginCommand()).isTrue();
        assertThat(c.beginCommand()).as("busy (-16)").isFalse();
        assertThat(c.connectionClosed()).as("a command runs: release deferred to its end").isFalse();
        assertThat(c.endCommand()).as("died meanwhile: release now").isTrue();
        assertThat(c.beginCommand()).as("dead").isFalse();
        assertThat(new Client(3, null, false, "").beginCommand()).as("unregistered").isFalse();
    }

    @Test
    void releaseTakesTheNamedLeasesAndCountsTheMissingOnes() {
        Client c = registered(7);
        c.addLeases(List.of(lease("A", false), lease("B", false)), "vm");
        Client.Taken t = c.takeLeases(List.of(lease("B", false).resource(), lease("X", false).resource()), false);
        assertThat(t.leases()).extracting(l -> l.resource().name()).containsExactly("B");
        assertThat(t.missing()).isEqualTo(1);
        assertThat(c.holds(lease("A", false).resource())).isTrue();
        assertThat(c.liveHolderIn("LS", "A")).isTrue();
        assertThat(c.liveHolderIn("LS", "B")).isFalse();
        assertThat(c.takeLeases(List.of(), true).leases()).extracting(l -> l.resource().name()).containsExactly("A");
        assertThat(c.liveHolderLockspace()).as("holds nothing").isNull();
    }

    @Test
    void aRegisterAgainDropsTheTokenTableAsTheReferenceDoes() {
        Client c = registered(7);
        c.addLeases(List.of(lease("A", false)), "vm");
        assertThat(c.register(8)).as("leases dropped (they stay held)").isEqualTo(1);
        assertThat(c.leases()).isEmpty();
        assertThat(c.registeredAs(8)).isTrue();
        assertThat(c.status().record().name()).isEqualTo("8");
    }
}
