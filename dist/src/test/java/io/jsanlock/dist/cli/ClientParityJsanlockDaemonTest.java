package io.jsanlock.dist.cli;

/** The parity table of {@link ClientParity} against two jsanlock daemons ({@code bin/jsanlock daemon}). */
class ClientParityJsanlockDaemonTest extends ClientParity {
    @Override
    TestDaemon.Kind kind() {
        return TestDaemon.Kind.JSANLOCK;
    }
}
