package io.herald.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Herald service in a JVM of its own, on this benchmark's classpath, logging to {@code $TMPDIR/herald-bench-<name>.log}. */
final class ServiceProcess {

    private ServiceProcess() {}

    static Process start(String name, String mainClass, String maxHeap, List<String> args) throws Exception {
        return start(name, mainClass, maxHeap, List.of(), args);
    }

    /** As {@link #start(String, String, String, List)}, with options for the JVM (its image's, say). */
    static Process start(String name, String mainClass, String maxHeap, List<String> jvmOptions, List<String> args)
            throws Exception {
        var command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + maxHeap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-" + name + ".log")
                        .toFile())
                .start();
    }

    /**
     * The options between {@code java} and {@code -jar} in the ENTRYPOINT of the service's Dockerfile, so that the
     * bench runs each JVM as its image does (the heap is the bench's own {@code -Xmx}).
     */
    static List<String> imageJvmOptions(String service) throws IOException {
        Path dockerfile = Path.of(System.getProperty("bench.root", "bench"))
                .toAbsolutePath()
                .getParent()
                .resolve(service)
                .resolve("Dockerfile");
        String entrypoint = Files.readAllLines(dockerfile).stream()
                .filter(l -> l.startsWith("ENTRYPOINT"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no ENTRYPOINT in " + dockerfile));
        List<String> words = new ArrayList<>();
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(entrypoint);
        while (quoted.find()) {
            words.add(quoted.group(1));
        }
        int jar = words.indexOf("-jar");
        if (words.isEmpty() || !words.getFirst().equals("java") || jar < 0) {
            throw new IllegalStateException("not a java -jar ENTRYPOINT: " + entrypoint);
        }
        return words.subList(1, jar).stream()
                .filter(o -> !o.startsWith("-XX:MaxRAMPercentage"))
                .toList();
    }

    /** What {@code herald.gateway.api-keys[n].sha256} takes for an API key. */
    static String sha256Hex(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
