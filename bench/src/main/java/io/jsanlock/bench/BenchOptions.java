package io.jsanlock.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Options of {@code bin/bench}. The full run (no options) is the one the README's
 * table comes from; {@code --quick} is a short check of the harness.
 *
 * @param resources       resource areas per daemon (pool of the parallel runs; leases held for the RSS figure)
 * @param rounds          repetitions of every measured pass (table: median [min-max])
 * @param parallelSeconds duration of each parallel pass
 * @param clients         client counts of the parallel passes
 * @param takeover        measure the takeover of a dead host's lease (about 70 s, run for all storages at once)
 * @param file            measure on a sparse lease file
 * @param loop            measure on a loop block device
 * @param python          the python3-sanlock pass (PythonClients)
 */
record BenchOptions(int resources, int rounds, double parallelSeconds, List<Integer> clients, boolean takeover,
                    boolean file, boolean loop, Path workDir, List<String> jsanlockDaemon, List<String> jsanlockCli,
                    Path referenceStartScript, Path out, boolean python) {

    static final String USAGE = """
            usage: bin/bench [--quick] [--takeover] [--no-python] [--storage file|loop|both] [--rounds N]
                             [--resources N] [--seconds S] [--dir DIR] [--out FILE]
              default run (~6-8 min): 1000 resources, 3 rounds, 3 s parallel passes, the python3-sanlock
                pass, no takeover, sparse file and loop device
              --takeover: add the takeover of a dead host's lease (~75 s more)
              --quick: 100 resources, 1 round, 1 s passes
            """;

    static BenchOptions parse(String[] args, List<String> jsanlockDaemon, List<String> jsanlockCli, Path referenceStartScript) {
        int resources = 1000;
        int rounds = 3;
        double seconds = 3;
        boolean takeover = false;
        boolean python = true;
        boolean file = true;
        boolean loop = true;
        Path dir = Path.of("/var/tmp/jsanlock-bench-" + ProcessHandle.current().pid());
        Path out = null;
        List<String> a = new ArrayList<>(Arrays.asList(args));
        for (int i = 0; i < a.size(); i++) {
            String o = a.get(i);
            switch (o) {
                case "--quick" -> {
                    resources = 100;
                    rounds = 1;
                    seconds = 1;
                    takeover = false;
                }
                case "--takeover" -> takeover = true;
                case "--no-takeover" -> takeover = false;
                case "--no-python" -> python = false;
                case "--storage" -> {
                    String v = a.get(++i);
                    file = v.equals("file") || v.equals("both");
                    loop = v.equals("loop") || v.equals("both");
                    if (!file && !loop) {
                        throw new IllegalArgumentException("--storage takes file, loop or both, not " + v);
                    }
                }
                case "--rounds" -> rounds = Integer.parseInt(a.get(++i));
                case "--resources" -> resources = Integer.parseInt(a.get(++i));
                case "--seconds" -> seconds = Double.parseDouble(a.get(++i));
                case "--dir" -> dir = Path.of(a.get(++i));
                case "--out" -> out = Path.of(a.get(++i));
                default -> throw new IllegalArgumentException("unknown option " + o);
            }
        }
        if (resources < 32) {
            throw new IllegalArgumentException("--resources must be at least 32 (one per client of the 32-client pass)");
        }
        return new BenchOptions(resources, rounds, seconds, List.of(1, 8, 32), takeover, file, loop, dir, jsanlockDaemon,
                jsanlockCli, referenceStartScript, out, python);
    }
}
