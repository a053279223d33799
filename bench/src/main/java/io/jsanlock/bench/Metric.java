package io.jsanlock.bench;

/**
 * A row kind of the result table: what is measured, its unit, whether bigger is
 * better, and the goal from issue 18 on the jsanlock/reference ratio (or on the
 * jsanlock value itself for memory).
 */
enum Metric {
    ADD_LOCKSPACE("add_lockspace (io_timeout 1)", "s", Goal.ratioBetween(0.95, 1.05)),
    TAKEOVER("takeover of a dead host's lease (io_timeout 1)", "s", Goal.ratioBetween(0.95, 1.05)),
    PY_SEQ_OPS("python3-sanlock: sequential acquire+release, 1 client, 100 resources", "ops/s", Goal.ratioAtLeast(2)),
    PY_SEQ_ACQUIRE_P50("python3-sanlock: sequential acquire p50", "ms", Goal.NONE),
    PY_SEQ_RELEASE_P50("python3-sanlock: sequential release p50", "ms", Goal.NONE),
    PY_FLOOR_OPS("I/O floor (iofloor.py: an acquire+release's O_DIRECT I/Os alone)", "ops/s", Goal.NONE),
    PY_SEQ_VS_FLOOR("python3-sanlock: acquire+release time / I/O floor time", "x", Goal.valueAtMost(2)),
    PY_PAR_32("python3-sanlock: 32 parallel clients (bench_par.py), 100 resources", "acq/s", Goal.ratioAtLeast(2)),
    SEQ_ACQUIRE_P50("sequential acquire p50", "ms", Goal.NONE),
    SEQ_ACQUIRE_P99("sequential acquire p99", "ms", Goal.NONE),
    SEQ_RELEASE_P50("sequential release p50", "ms", Goal.NONE),
    SEQ_RELEASE_P99("sequential release p99", "ms", Goal.NONE),
    SEQ_OPS("Java client: sequential acquire+release, 1 client, 100 resources", "ops/s", Goal.ratioAtLeast(2)),
    FLOOR_OPS("I/O floor: acquire+release's O_DIRECT I/Os timed alone", "ops/s", Goal.NONE),
    SEQ_VS_FLOOR("acquire+release time / I/O floor time", "x", Goal.valueAtMost(2)),
    PAR_1("parallel acquires, 1 client", "acq/s", Goal.NONE),
    PAR_8("parallel acquires, 8 clients", "acq/s", Goal.NONE),
    PAR_32("parallel acquires, 32 clients", "acq/s", Goal.ratioAtLeast(2)),
    RSS_IDLE("daemon RSS, idle, one lockspace", "MiB", Goal.valueAtMost(64)),
    RSS_1000("daemon RSS, 1000 leases held", "MiB", Goal.valueAtMost(96)),
    DUMP("direct dump of a 100-resource area, whole process", "s", Goal.ratioAtMost(2));

    final String label;
    final String unit;
    final Goal goal;

    Metric(String label, String unit, Goal goal) {
        this.label = label;
        this.unit = unit;
        this.goal = goal;
    }

    /** A goal: on the ratio jsanlock/reference, or on jsanlock's own value; NONE for informative rows. */
    record Goal(String text, boolean onRatio, double low, double high) {
        static final Goal NONE = new Goal("", false, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

        static Goal ratioAtLeast(double r) {
            return new Goal("ratio >= " + fmt(r), true, r, Double.POSITIVE_INFINITY);
        }

        static Goal ratioAtMost(double r) {
            return new Goal("ratio <= " + fmt(r), true, Double.NEGATIVE_INFINITY, r);
        }

        static Goal ratioBetween(double lo, double hi) {
            return new Goal("ratio " + fmt(lo) + "-" + fmt(hi), true, lo, hi);
        }

        static Goal valueAtMost(double v) {
            return new Goal("jsanlock <= " + fmt(v), false, Double.NEGATIVE_INFINITY, v);
        }

        boolean isNone() {
            return text.isEmpty();
        }

        boolean met(double value) {
            return value >= low && value <= high;
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }
}
