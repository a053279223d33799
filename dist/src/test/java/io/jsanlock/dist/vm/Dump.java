package io.jsanlock.dist.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rows of a {@code sanlock direct dump} listing. */
record Dump(List<Row> rows) {
    record Row(long offset, String lockspace, String resource, long timestamp, long owner, long generation, Long lver) {
    }

    static Dump parse(String text) {
        List<Row> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || !f[0].matches("\\d{8}")) {
                continue;
            }
            rows.add(new Row(Long.parseLong(f[0]), f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), f.length > 6 ? Long.parseLong(f[6]) : null));
        }
        return new Dump(rows);
    }

    Optional<Row> at(long offset) {
        return rows.stream().filter(r -> r.offset() == offset).findFirst();
    }

    Row resource(String name) {
        return rows.stream().filter(r -> r.resource().equals(name) && r.lver() != null).findFirst()
                .orElseThrow(() -> new AssertionError("no resource " + name + " in dump " + rows));
    }
}
