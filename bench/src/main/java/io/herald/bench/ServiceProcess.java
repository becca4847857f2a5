package io.herald.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

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
