package io.jsanlock.dist.cli;

/** The parity table of {@link ClientParity} against two reference sanlock daemons. */
class ClientParityReferenceDaemonTest extends ClientParity {
    @Override
    TestDaemon.Kind kind() {
        return TestDaemon.Kind.REFERENCE;
    }
}
