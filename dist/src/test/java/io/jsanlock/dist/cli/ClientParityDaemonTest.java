package io.jsanlock.dist.cli;

/**
 * The {@link ClientParity} table with the reference CLI against both labs: the same request,
 * sent by the same client, to a reference daemon and to a jsanlock daemon in the same state.
 */
@org.junit.jupiter.api.Tag("slow") // every client command on two daemons (each row on both at once), ~45 s
class ClientParityDaemonTest extends ClientParity {
    @Override
    Cli cliUnderTest() {
        return Cli.REFERENCE;
    }
}
