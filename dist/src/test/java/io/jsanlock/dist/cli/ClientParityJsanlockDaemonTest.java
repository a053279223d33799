package io.jsanlock.dist.cli;

/** The parity table of {@link ClientParity} against two jsanlock daemons ({@code bin/jsanlock daemon}). */
class ClientParityJsanlockDaemonTest extends ClientParity {
    @Override
    TestDaemon.Kind kind() {
        return TestDaemon.Kind.JSANLOCK;
    }

    /** The jsanlock daemon answers the resource-index commands -95 (not supported) so far. */
    @Override
    java.util.Map<String, String> knownGaps() {
        String rindex = "resource-index commands answer -95 (EOPNOTSUPP), so the row's setup fails";
        return java.util.Map.of(
                "client create -x LS:$X:0 -e RX", rindex,
                "client lookup -x LS:$X:0 -e RX", rindex,
                "client delete -x LS:$X:0 -e RY", rindex,
                "client update -x LS:$X:0 -e RZ:5M", rindex,
                "client update -x LS:$X:0 -e RZ:5M -z 1", rindex);
    }
}
