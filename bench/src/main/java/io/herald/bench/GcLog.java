package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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
     * @param fullCollections how many of them were full collections ({@code Pause Full}, e.g. asked for by {@link
     *     #collectFully(Process)})
     * @param peakLiveMb the most heap in use after a full collection, NaN when there was none: live data only
     */
    record Peak(
            int collections,
            double peakBeforeMb,
            double peakAfterMb,
            double committedMb,
            int fullCollections,
            double peakLiveMb) {

        /** {@link #peakAfterMb()}, or NaN (a row's {@code -}) when the JVM made no collection meanwhile. */
        double afterAnyMb() {
            return collections == 0 ? Double.NaN : peakAfterMb;
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%d collections, heap in use at most %.0f MB before a collection and %.0f MB after one"
                            + " (heap %.0f MB); %d full collections, at most %.0f MB after one (live data)",
                    collections,
                    peakBeforeMb,
                    peakAfterMb,
                    committedMb,
                    fullCollections,
                    peakLiveMb);
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
        int full = 0;
        double live = Double.NaN;
        for (String line : lines.subList(Math.min(mark, lines.size()), lines.size())) {
            Matcher m = COLLECTION.matcher(line);
            if (m.find()) {
                collections++;
                before = Math.max(before, mb(m.group(1), m.group(2)));
                after = Math.max(after, mb(m.group(3), m.group(4)));
                committed = mb(m.group(5), m.group(6));
                if (line.contains("Pause Full")) {
                    full++;
                    double kept = mb(m.group(3), m.group(4));
                    live = Double.isNaN(live) ? kept : Math.max(live, kept);
                }
            }
        }
        return new Peak(collections, before, after, committed, full, live);
    }

    /**
     * Asks {@code process}'s JVM for a full collection ({@code jcmd <pid> GC.run}, {@code System.gc()}), which its GC
     * log then shows as {@code Pause Full (System.gc())} with the live data after it; waits for it (a minute at most).
     */
    static void collectFully(Process process) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!run.waitFor(1, TimeUnit.MINUTES)) {
            run.destroy();
        }
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
