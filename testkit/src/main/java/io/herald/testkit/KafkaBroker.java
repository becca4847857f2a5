package io.herald.testkit;

import java.util.HashMap;
import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real, single-node Apache Kafka broker (KRaft, combined controller and broker) running in this JVM.
 * Topic auto-creation is off, as in production: services create the topics they produce.
 *
 * <p>Tests start one per test class ({@link #start()}) and close it afterwards, so no two test classes see
 * each other's records. The first start in a JVM takes a few seconds, later ones well under one.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String FIXED = "FIXED";

    private final EmbeddedKafkaKraftBroker broker;
    private final int fixedPort;

    private KafkaBroker(EmbeddedKafkaKraftBroker broker, int fixedPort) {
        this.broker = broker;
        this.fixedPort = fixedPort;
    }

    /** Starts a broker on a free port. */
    public static KafkaBroker start() {
        return start(0);
    }

    /** Starts a broker on {@code port}, or a free port when it is {@code 0}. */
    public static KafkaBroker start(int port) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        Map<String, String> properties = new HashMap<>(Map.of(
                "auto.create.topics.enable", "false",
                "offsets.topic.replication.factor", "1",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "group.initial.rebalance.delay.ms", "0"));
        if (port != 0) {
            // The KRaft test kit ignores kafkaPorts() and binds its EXTERNAL listener to a socket it opened
            // beforehand on a free port, whatever the configuration says. A second listener, which it knows
            // nothing about, listens on the port asked for; clients that bootstrap there are answered with it.
            properties.put(
                    "listeners",
                    "EXTERNAL://localhost:0," + FIXED + "://localhost:" + port + ",CONTROLLER://localhost:0");
            properties.put(
                    "listener.security.protocol.map",
                    "EXTERNAL:PLAINTEXT," + FIXED + ":PLAINTEXT,CONTROLLER:PLAINTEXT");
        }
        broker.brokerProperties(properties);
        // Do not publish spring.embedded.kafka.brokers: two brokers in one JVM must not see each other's address.
        broker.brokerListProperty("herald.testkit.kafka.brokers");
        broker.afterPropertiesSet();
        return new KafkaBroker(broker, port);
    }

    /** The bootstrap servers, {@code host:port[,host:port]}. */
    public String bootstrapServers() {
        return fixedPort != 0 ? "localhost:" + fixedPort : broker.getBrokersAsString();
    }

    /** Creates topics directly; services normally create their own through {@code NewTopic} beans. */
    public void createTopics(String... topics) {
        broker.addTopics(topics);
    }

    /** The underlying spring-kafka-test broker, for its consumer helpers. */
    public EmbeddedKafkaKraftBroker embedded() {
        return broker;
    }

    @Override
    public void close() {
        broker.destroy();
    }
}
