package io.herald.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where a benchmark's settings come from: environment variables named {@code BENCH_*} (each benchmark's settings
 * record lists and documents its own), and the system property {@code bench.root}, the {@code bench/} directory
 * (the Maven build sets it; {@code RESULTS.md} and the socket.io peer are there). A variable unset or blank takes
 * its default.
 */
final class Env {

    private Env() {}

    /** {@code variable}'s value, or {@code fallback} when it is unset or blank. */
    static String setting(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }

    static int integer(String variable, int fallback) {
        return Integer.parseInt(setting(variable, Integer.toString(fallback)).trim());
    }

    static boolean flag(String variable, boolean fallback) {
        return Boolean.parseBoolean(
                setting(variable, Boolean.toString(fallback)).trim());
    }

    /** The words of {@code variable} split on whitespace (none when it is unset or blank). */
    static List<String> words(String variable) {
        String value = setting(variable, "").trim();
        return value.isEmpty() ? List.of() : Arrays.asList(value.split("\\s+"));
    }

    /** The {@code bench/} directory: the system property {@code bench.root}, by default {@code bench}. */
    static Path root() {
        return Path.of(System.getProperty("bench.root", "bench"));
    }
}
