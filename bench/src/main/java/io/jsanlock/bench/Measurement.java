package io.jsanlock.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One figure of one daemon on one storage: a value per round (or per repetition).
 * The table shows the median and the range, so a noisy round is visible rather
 * than averaged away.
 */
final class Measurement {
    private final List<Double> values = new ArrayList<>();

    synchronized void add(double v) {
        values.add(v);
    }

    synchronized List<Double> values() {
        return List.copyOf(values);
    }

    boolean isEmpty() {
        return values().isEmpty();
    }

    double median() {
        return Stats.median(values());
    }

    double min() {
        return Stats.min(values());
    }

    double max() {
        return Stats.max(values());
    }
}
