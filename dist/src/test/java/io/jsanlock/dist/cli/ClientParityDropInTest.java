package io.jsanlock.dist.cli;

/**
 * The {@link ClientParity} table as a drop-in user sees it: {@code bin/jsanlock} against the
 * jsanlock lab, compared with {@code sanlock} against the reference lab.
 */
@org.junit.jupiter.api.Tag("slow") // every client command through the drop-in, both daemons
class ClientParityDropInTest extends ClientParity {
    @Override
    Cli cliUnderTest() {
        return Cli.JSANLOCK;
    }
}
