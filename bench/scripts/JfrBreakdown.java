import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups the jdk.ExecutionSample events printed by {@code jfr print} by what the sampled code
 * was doing: the first frame from the top that belongs to a known area decides (a JDK
 * frame under, say, the wire decoder counts as decoding). Prints a Markdown table.
 * Usage: java JfrBreakdown.java samples.txt
 */
public class JfrBreakdown {
    static final String[][] AREAS = {
        {"java.util.concurrent.", "thread hand-off, locks, queues (java.util.concurrent)"},
        {"io.jsanlock.io.aio.", "AIO submit and wait (Java side)"},
        {"io.jsanlock.io.", "storage I/O (DirectFileStorage, buffers, FFM pread/pwrite)"},
        {"io.jsanlock.wire.unix.", "socket read/write"},
        {"sun.nio.ch.", "socket read/write"},
        {"io.jsanlock.wire.", "wire decode/encode"},
        {"io.jsanlock.format.", "on-disk record encode/decode, checksums"},
        {"io.jsanlock.lease.", "lease algorithms (paxos, delta)"},
        {"io.jsanlock.engine.", "lease engine (bookkeeping)"},
        {"io.jsanlock.daemon.", "daemon command handling"},
        {"jdk.internal.foreign.", "FFM downcall machinery"},
        {"java.lang.invoke.", "method handles (FFM linking)"},
        {"jdk.jfr.", "JFR itself"},
    };

    public static void main(String[] a) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(a[0]));
        Map<String, Integer> byArea = new LinkedHashMap<>();
        Map<String, Integer> byThread = new TreeMap<>();
        Map<String, Integer> topFrames = new TreeMap<>();
        int total = 0;
        String thread = "?";
        List<String> frames = new ArrayList<>();
        boolean inStack = false;
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("sampledThread = ")) {
                thread = t.substring(16).replaceAll(" \\(javaThreadId.*", "").replaceAll("\"", "").replaceAll("-\\d+$", "-N");
            } else if (t.startsWith("stackTrace = [")) {
                inStack = true;
                frames.clear();
            } else if (inStack && t.equals("]")) {
                inStack = false;
                total++;
                byThread.merge(thread, 1, Integer::sum);
                byArea.merge(classify(frames), 1, Integer::sum);
                if (!frames.isEmpty()) {
                    topFrames.merge(frames.get(0).replaceAll(" +line:.*", ""), 1, Integer::sum);
                }
            } else if (inStack && !t.equals("...")) {
                frames.add(t);
            }
        }
        System.out.println("JFR execution samples (threads running Java code): " + total);
        System.out.println();
        System.out.println("| what the daemon's Java code was doing | samples | share |");
        System.out.println("|---|---|---|");
        int n = total;
        byArea.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).forEach(e ->
                System.out.printf("| %s | %d | %.0f%% |%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / Math.max(1, n)));
        System.out.println();
        System.out.println("| thread | samples |");
        System.out.println("|---|---|");
        byThread.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(8).forEach(e ->
                System.out.printf("| %s | %d |%n", e.getKey(), e.getValue()));
        System.out.println();
        System.out.println("top frames:");
        topFrames.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(15).forEach(e ->
                System.out.printf("  %5d  %s%n", e.getValue(), e.getKey()));
    }

    static String classify(List<String> frames) {
        for (String f : frames) {
            for (String[] area : AREAS) {
                if (f.startsWith(area[0])) {
                    return area[1];
                }
            }
        }
        return frames.isEmpty() ? "(no stack)" : "other: " + frames.get(0).replaceAll("\\(.*", "");
    }
}
