package io.jsanlock.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, per storage, metric and daemon, and their rendering as
 * a Markdown table: median and [min-max] over rounds for each daemon, the ratio
 * jsanlock/reference of the medians, the goal and whether it is met.
 */
final class ResultTable {
    private final Map<String, Map<Metric, EnumMap<DaemonKind, Measurement>>> byStorage = new LinkedHashMap<>();
    private final int heldLeases;

    ResultTable(int heldLeases) {
        this.heldLeases = heldLeases;
    }

    String label(Metric m) {
        return m == Metric.RSS_1000 ? "daemon RSS, " + heldLeases + " leases held" : m.label;
    }

    synchronized Measurement get(String storage, Metric m, DaemonKind d) {
        return byStorage.computeIfAbsent(storage, s -> new EnumMap<>(Metric.class))
                .computeIfAbsent(m, x -> new EnumMap<>(DaemonKind.class))
                .computeIfAbsent(d, x -> new Measurement());
    }

    void add(String storage, Metric m, DaemonKind d, double value) {
        get(storage, m, d).add(value);
    }

    /** One rendered row; exposed for the smoke test. */
    record Row(String storage, Metric metric, String jsanlock, String reference, String ratio, String goal, String met) {
    }

    synchronized List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (var s : byStorage.entrySet()) {
            for (Metric m : Metric.values()) {
                var perDaemon = s.getValue().get(m);
                if (perDaemon == null) {
                    continue;
                }
                Measurement js = perDaemon.get(DaemonKind.JSANLOCK);
                Measurement ref = perDaemon.get(DaemonKind.REFERENCE);
                boolean hasJs = js != null && !js.isEmpty();
                boolean hasRef = ref != null && !ref.isEmpty();
                String ratio = "";
                String met = "";
                double r = Double.NaN;
                if (hasJs && hasRef && m != Metric.FLOOR_OPS && m != Metric.PY_FLOOR_OPS) {
                    r = js.median() / ref.median();
                    ratio = String.format(Locale.ROOT, "%.2f", r);
                }
                if (!m.goal.isNone() && hasJs) {
                    double judged = m.goal.onRatio() ? r : js.median();
                    met = Double.isNaN(judged) ? "?" : m.goal.met(judged) ? "yes" : "NO";
                }
                rows.add(new Row(s.getKey(), m, hasJs ? cell(js) : "", hasRef ? cell(ref) : "", ratio, m.goal.text(), met));
            }
        }
        return rows;
    }

    private static String cell(Measurement v) {
        if (v.values().size() == 1) {
            return num(v.median());
        }
        return num(v.median()) + " [" + num(v.min()) + "-" + num(v.max()) + "]";
    }

    static String num(double d) {
        if (Double.isNaN(d)) {
            return "n/a";
        }
        double a = Math.abs(d);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", d);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", d);
        }
        return String.format(Locale.ROOT, "%.3f", d);
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| storage | measure | unit | jsanlock | sanlock 3.8.5 | jsanlock/sanlock | goal | met |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows()) {
            b.append("| ").append(r.storage()).append(" | ").append(label(r.metric())).append(" | ").append(r.metric().unit)
                    .append(" | ").append(r.jsanlock()).append(" | ").append(r.reference()).append(" | ").append(r.ratio())
                    .append(" | ").append(r.goal()).append(" | ").append(r.met()).append(" |\n");
        }
        return b.toString();
    }
}
