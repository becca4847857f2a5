package io.herald.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.jspecify.annotations.Nullable;

/**
 * A real, single-node Apache Kafka broker (KRaft, combined controller and broker) in a JVM of its own, from the
 * Kafka jars on this classpath, keeping its data in a directory of its own: unlike {@link KafkaBroker}, it can be
 * stopped (a controlled shutdown, as SIGTERM gives any broker) and started again on the same data and port, as a
 * broker restarted by its operator is.
 */
public final class KafkaProcess implements AutoCloseable {

    /**
     * How long {@link #start()} and {@link #startAgain()} wait for the broker to listen: far above the few seconds it
     * takes, because a machine busy with other builds can make it take a minute.
     */
    private static final Duration LISTEN_WITHIN = Duration.ofMinutes(2);

    private final Path directory;
    private final Path properties;
    private final int port;
    private @Nullable Process process;

    private KafkaProcess(Path directory, Path properties, int port) {
        this.directory = directory;
        this.properties = properties;
        this.port = port;
    }

    /** Formats a fresh data directory and starts the broker on free ports. */
    public static KafkaProcess start() {
        return start(LISTEN_WITHIN);
    }

    /**
     * {@link #start()}, waiting at most {@code within} for the broker to listen; if it does not, nothing is left
     * behind: no broker JVM, no data directory.
     */
    static KafkaProcess start(Duration within) {
        try {
            Path directory = Files.createTempDirectory("herald-kafka-");
            int port = freePort();
            int controllerPort = freePort();
            Path properties = directory.resolve("server.properties");
            Files.writeString(
                    properties, """
                    process.roles=broker,controller
                    node.id=1
                    controller.quorum.voters=1@localhost:%d
                    listeners=PLAINTEXT://localhost:%d,CONTROLLER://localhost:%d
                    advertised.listeners=PLAINTEXT://localhost:%d
                    controller.listener.names=CONTROLLER
                    inter.broker.listener.name=PLAINTEXT
                    listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                    log.dirs=%s
                    offsets.topic.replication.factor=1
                    transaction.state.log.replication.factor=1
                    transaction.state.log.min.isr=1
                    auto.create.topics.enable=false
                    group.initial.rebalance.delay.ms=0
                    """.formatted(controllerPort, port, controllerPort, port, directory.resolve("data")));
            Files.writeString(directory.resolve("logback.xml"), """
                    <configuration>
                      <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="out"/></root>
                    </configuration>
                    """);
            var kafka = new KafkaProcess(directory, properties, port);
            // Kafka's own ids never start with '-': the tool's argument parser would read such an id as an option
            String clusterId = Uuid.randomUuid().toString();
            Path formatLog = directory.resolve("format.log");
            Process format = kafka.java(
                            "kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId, "--config=" + properties)
                    .redirectOutput(formatLog.toFile())
                    .start();
            if (!format.waitFor(60, TimeUnit.SECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException("kafka-storage format did not finish within 60 s: " + tail(formatLog));
            }
            if (format.exitValue() != 0) {
                throw new IllegalStateException(
                        "kafka-storage format exited with " + format.exitValue() + ": " + tail(formatLog));
            }
            try {
                kafka.startAgain(within);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code localhost:<port>}, the same across restarts. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Stops the broker (controlled shutdown) and waits until it is gone. */
    public void stop() {
        Process running = process;
        if (running == null) {
            return;
        }
        running.destroy();
        try {
            if (!running.waitFor(60, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Starts the broker on its data and port, and waits until it listens. If it does not within 2 minutes (or exits, or
     * the wait is interrupted), its JVM is killed before this throws: a broker that failed to start is never left
     * running behind the test.
     */
    public void startAgain() {
        startAgain(LISTEN_WITHIN);
    }

    private void startAgain(Duration within) {
        if (process != null) {
            return;
        }
        Process started;
        try {
            started = java("kafka.Kafka", properties.toString())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            directory.resolve("kafka.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process = started;
        try {
            long deadline = System.nanoTime() + within.toNanos();
            while (!listening()) {
                if (!started.isAlive()) {
                    throw new IllegalStateException("Kafka exited: " + tail(directory.resolve("kafka.log")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Kafka did not listen within " + within + ": " + tail(directory.resolve("kafka.log")));
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // It may still be starting, and would outlive the test (and hold its ports) if left alone.
            kill(started);
            process = null;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Kafka was starting", e);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    private static void kill(Process started) {
        started.destroyForcibly();
        try {
            started.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private boolean listening() {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dlogback.configurationFile=" + directory.resolve("logback.xml"),
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
