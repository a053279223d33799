package io.jsanlock.bench;

/** The two daemons compared. */
enum DaemonKind {
    JSANLOCK("jsanlock"), REFERENCE("sanlock 3.8.5");

    final String label;

    DaemonKind(String label) {
        this.label = label;
    }
}
