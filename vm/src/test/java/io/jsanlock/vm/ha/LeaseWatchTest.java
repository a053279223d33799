package io.jsanlock.vm.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsanlock.vm.ha.LeaseSight.Fate;
import io.jsanlock.wire.Host;
import io.jsanlock.wire.HostState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the owner instance of a lease is judged from the daemon's GET_HOSTS table. */
class LeaseWatchTest {
    static Host host(long id, long gen, HostState st) {
        return new Host(id, gen, 100, 10, st.value());
    }

    @Test
    void theOwnersStateAndGenerationDecideItsFate() {
        List<Host> hosts = List.of(host(1, 3, HostState.LIVE), host(2, 5, HostState.LIVE), host(3, 2, HostState.DEAD),
                host(4, 1, HostState.UNKNOWN), host(5, 1, HostState.FAIL), host(6, 1, HostState.FREE));
        assertThat(LeaseWatch.fate(1, 3, 2, hosts)).isEqualTo(Fate.ALIVE);
        assertThat(LeaseWatch.fate(1, 2, 2, hosts)).as("rejoined with generation 3").isEqualTo(Fate.REJOINED);
        assertThat(LeaseWatch.fate(2, 5, 2, hosts)).isEqualTo(Fate.SELF);
        assertThat(LeaseWatch.fate(2, 4, 2, hosts)).isEqualTo(Fate.SELF_LOST);
        assertThat(LeaseWatch.fate(3, 2, 2, hosts)).isEqualTo(Fate.DEAD);
        assertThat(LeaseWatch.fate(4, 1, 2, hosts)).isEqualTo(Fate.UNKNOWN);
        assertThat(LeaseWatch.fate(5, 1, 2, hosts)).as("late renewals are not death").isEqualTo(Fate.ALIVE);
        assertThat(LeaseWatch.fate(6, 1, 2, hosts)).as("released its host_id").isEqualTo(Fate.DEAD);
        assertThat(LeaseWatch.fate(7, 1, 2, hosts)).isEqualTo(Fate.UNKNOWN);
    }

    @Test
    void theLiveHostsAreThoseTheDaemonSeesLivePlusThisHostInHostIdOrder() {
        List<Host> hosts = List.of(host(9, 1, HostState.LIVE), host(3, 2, HostState.DEAD), host(1, 3, HostState.LIVE),
                host(4, 1, HostState.UNKNOWN), host(5, 1, HostState.FAIL));
        assertThat(LeaseWatch.liveHosts(7, hosts)).containsExactly(1L, 7L, 9L);
        assertThat(LeaseWatch.liveHosts(1, hosts)).containsExactly(1L, 9L);
    }
}
