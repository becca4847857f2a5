package io.herald.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real, single-node Apache Kafka broker (KRaft, combined controller and broker) in this JVM, started as
 * {@code kafka-server-start} starts one, with both its listeners (clients', controller's) on 127.0.0.1 alone.
 * {@link KafkaBroker} runs Kafka's test kit, which opens its own listeners on every interface; the dev stack,
 * which must be reachable from this machine only, runs this one. Data lives in a temporary directory, deleted on
 * {@link #close()}.
 */
public final class LoopbackKafka implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final KafkaRaftServer server;
    private final Path directory;
    private final int port;

    private LoopbackKafka(KafkaRaftServer server, Path directory, int port) {
        this.server = server;
        this.directory = directory;
        this.port = port;
    }

    /** Formats a fresh data directory and starts the broker on {@code port}, or a free port when it is 0. */
    public static LoopbackKafka start(int port) {
        try {
            Path directory = Files.createTempDirectory("herald-kafka-");
            String logs = directory.resolve("data").toString();
            int brokerPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            var properties = new Properties();
            properties.put("process.roles", "broker,controller");
            properties.put("node.id", "1");
            properties.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
            properties.put(
                    "listeners",
                    "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
            properties.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
            properties.put("controller.listener.names", "CONTROLLER");
            properties.put("inter.broker.listener.name", "PLAINTEXT");
            properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            properties.put("log.dirs", logs);
            properties.put("offsets.topic.replication.factor", "1");
            properties.put("transaction.state.log.replication.factor", "1");
            properties.put("transaction.state.log.min.isr", "1");
            properties.put("auto.create.topics.enable", "false");
            properties.put("group.initial.rebalance.delay.ms", "0");
            KafkaConfig config = KafkaConfig.fromProps(properties);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logs))
                    .setMetadataLogDirectory(logs)
                    .setControllerListenerName("CONTROLLER")
                    .run();
            var server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            return new LoopbackKafka(server, directory, brokerPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start Kafka", e);
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory: the system cleans it up.
        }
    }

    @SuppressWarnings("AddressSelection") // HOST is an IP literal: nothing is looked up
    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }
}
