package io.herald.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Appends rows to {@code bench/RESULTS.md}, one Markdown table, newest rows last, old rows kept. */
final class Results {

    static final String HEADER = """
            | date | benchmark | figure | value | unit | compared with | its value | ratio | command |
            |---|---|---|---|---|---|---|---|---|
            """;

    private final Path file;
    private final String command;

    Results(Path file, String command) {
        this.file = file;
        this.command = command;
    }

    /**
     * The command of a run of {@code benchmark}: the install and the bench's run, with those of {@code variables}
     * that are set (not blank) in front of it, and {@code BENCH_SERVICE_ARGS} and {@code BENCH_SERVICE_JVM_OPTIONS}
     * when set, so that a row from shrunken or changed settings says so.
     */
    static String command(String benchmark, List<String> variables) {
        var settings = new StringBuilder();
        var all = new ArrayList<>(variables);
        all.addAll(List.of("BENCH_SERVICE_ARGS", "BENCH_SERVICE_JVM_OPTIONS"));
        for (String variable : all) {
            String value = Env.setting(variable, "");
            if (!value.isBlank()) {
                String v = value.trim();
                settings.append(variable)
                        .append('=')
                        .append(v.contains(" ") ? "\"" + v + "\"" : v)
                        .append(' ');
            }
        }
        return "./mvnw -B -q install -DskipTests && " + settings
                + "./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=" + benchmark;
    }

    void row(String benchmark, String figure, double value, String unit, String peer, double peerValue) {
        double ratio = peerValue == 0 ? Double.NaN : value / peerValue;
        String line = String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s | %s | %s | `%s` |%n",
                LocalDate.now(),
                benchmark,
                figure,
                number(value),
                unit,
                peer,
                number(peerValue),
                Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio),
                command);
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, HEADER);
            }
            Files.writeString(file, line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.print(line);
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
