package io.jsanlock.dist.cli;

/**
 * The {@link ClientParity} table as a drop-in user sees it: {@code bin/jsanlock} against the
 * jsanlock lab, compared with {@code sanlock} against the reference lab.
 */
class ClientParityDropInTest extends ClientParity {
    @Override
    Cli cliUnderTest() {
        return Cli.JSANLOCK;
    }
}
