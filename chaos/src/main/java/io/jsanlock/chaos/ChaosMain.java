package io.jsanlock.chaos;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bin/chaos [--hosts N] [--seconds S] [--seed X] [--guests G] [--resources R] [--fault-gap S] [--reference-hosts K] [--file] [--work DIR]}:
 * one chaos run (see {@link ChaosRun}); exit 0 when the checker found no violation, 1
 * when it did, 2 on bad arguments or a harness failure.
 * {@code bin/chaos --ha [--hosts N] [--domains D] [--seconds S] [--seed X] [--fault-gap S] [--work DIR]}: the HA mode
 * ({@link HaChaos}, docs/ha.md §5): hosts with jvirsh agents and D HA domains on a lease file, random host failures;
 * exit 0 when every failure was handled, the checker found no double run and every domain runs once at the end. Needs root for loop devices
 * (blockdev --setro faults; slow/hung storage also needs cgroup-v1 blkio); {@code --file} uses a plain file and skips storage faults.
 */
public final class ChaosMain {
    private ChaosMain() {}

    public static void main(String[] args) throws Exception {
        int hosts = 3;
        int seconds = 180;
        long seed = System.nanoTime();
        int guests = 2;
        int resources = 3;
        boolean loop = true;
        int faultGap = 10;
        int referenceHosts = 0;
        Path work = null;
        boolean ha = false;
        int domains = 6;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--guests" -> guests = Integer.parseInt(args[++i]);
                    case "--resources" -> resources = Integer.parseInt(args[++i]);
                    case "--file" -> loop = false;
                    case "--fault-gap" -> faultGap = Integer.parseInt(args[++i]);
                    case "--reference-hosts" -> referenceHosts = Integer.parseInt(args[++i]);
                    case "--work" -> work = Path.of(args[++i]);
                    case "--ha" -> ha = true;
                    case "--domains" -> domains = Integer.parseInt(args[++i]);
                    default -> {
                        System.err.println("chaos: unknown option " + a);
                        System.exit(2);
                    }
                }
            } catch (RuntimeException e) {
                System.err.println("chaos: bad or missing value for " + a);
                System.exit(2);
            }
        }
        if (hosts < 3) {
            System.err.println("chaos: --hosts must be at least 3 (one host is always left untouched, two must be faultable)");
            System.exit(2);
        }
        if (work == null) {
            work = Files.createTempDirectory("jsanlock-chaos-");
        }
        if (ha) {
            if (domains < 1) {
                System.err.println("chaos: --domains must be at least 1");
                System.exit(2);
            }
            System.out.println("chaos: seed " + seed + " (rerun: bin/chaos --ha --hosts " + hosts + " --domains " + domains
                    + " --seconds " + seconds + " --seed " + seed + " --fault-gap " + faultGap + ")");
            HaChaos run = new HaChaos(work.toAbsolutePath(), System.getProperty("java.class.path"), seed, hosts, domains, seconds,
                    System.out);
            run.faultGap = Math.max(1, faultGap);
            System.exit(run.run() ? 0 : 1);
        }
        System.out.println("chaos: seed " + seed + " (rerun: bin/chaos --hosts " + hosts + " --guests " + guests + " --resources " + resources
                + " --seconds " + seconds + " --seed " + seed + " --fault-gap " + faultGap
                + (referenceHosts > 0 ? " --reference-hosts " + referenceHosts : "") + (loop ? "" : " --file") + ")");
        ChaosRun run = new ChaosRun(work.toAbsolutePath(), System.getProperty("java.class.path"), seed, hosts, guests, resources,
                seconds, loop, System.out);
        run.faultGap = Math.max(1, faultGap);
        run.referenceHosts = Math.max(0, Math.min(referenceHosts, hosts - 2));
        HistoryChecker.Report r = run.run();
        System.exit(r.ok() ? 0 : 1);
    }
}
