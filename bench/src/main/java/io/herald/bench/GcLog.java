package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service JVM's heap as the JVM reports it: its {@code -Xlog:gc} file ({@link PipelineStack.Layout#gcLogs()}),
 * one line a collection, {@code GC(12) Pause Young (Allocation Failure) 310M->42M(491M) 9.1ms}. Read from a
 * {@link #mark(String) mark} on, so that a phase sees only its own collections.
 */
final class GcLog {

    private static final Pattern COLLECTION =
            Pattern.compile("GC\\(\\d+\\) .* (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /**
     * The collections since a mark.
     *
     * @param collections how many
     * @param peakBeforeMb the most heap in use when a collection began: the peak of the heap, garbage included
     * @param peakAfterMb the most heap in use after a collection: what the JVM kept, the peak of live data (and of
     *     garbage promoted but not yet collected by a full collection)
     * @param committedMb the heap's size at the last collection
     */
    record Peak(int collections, double peakBeforeMb, double peakAfterMb, double committedMb) {

        /** {@link #peakAfterMb()}, or NaN (a row's {@code -}) when the JVM made no collection meanwhile. */
        double liveMb() {
            return collections == 0 ? Double.NaN : peakAfterMb;
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%d collections, heap in use at most %.0f MB before a collection and %.0f MB after one"
                            + " (heap %.0f MB)",
                    collections,
                    peakBeforeMb,
                    peakAfterMb,
                    committedMb);
        }
    }

    private GcLog() {}

    /** Where the JVM named {@code service} ({@code token-service}, {@code token-service-2} ...) writes its GC log. */
    static Path file(String service) {
        return Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-" + service + "-gc.log");
    }

    /** The lines of {@code service}'s GC log so far: a phase's collections are those after it. */
    static int mark(String service) throws IOException {
        return lines(service).size();
    }

    /** The collections {@code service}'s JVM logged after line {@code mark}. */
    static Peak since(String service, int mark) throws IOException {
        List<String> lines = lines(service);
        int collections = 0;
        double before = 0;
        double after = 0;
        double committed = 0;
        for (String line : lines.subList(Math.min(mark, lines.size()), lines.size())) {
            Matcher m = COLLECTION.matcher(line);
            if (m.find()) {
                collections++;
                before = Math.max(before, mb(m.group(1), m.group(2)));
                after = Math.max(after, mb(m.group(3), m.group(4)));
                committed = mb(m.group(5), m.group(6));
            }
        }
        return new Peak(collections, before, after, committed);
    }

    private static List<String> lines(String service) throws IOException {
        Path file = file(service);
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static double mb(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }
}
