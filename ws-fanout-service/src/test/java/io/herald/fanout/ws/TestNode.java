package io.herald.fanout.ws;

import static org.awaitility.Awaitility.await;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.fanout.FanoutApplication;
import io.herald.testkit.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/** One ws-fanout node of a test, in this JVM, and what tests do with nodes. */
final class TestNode {

    private TestNode() {}

    /**
     * Starts a node on free ports against {@code bootstrapServers} and {@code db}, with {@code settings} ({@code
     * --key=value}) over the defaults, and waits until its live path reads its partitions.
     */
    static ConfigurableApplicationContext start(
            String nodeId, String bootstrapServers, PostgresServer.Database db, String... settings) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--herald.fanout.ws.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(),
                "--herald.fanout.jwt.hmac-secret=" + TestTokens.SECRET,
                "--herald.internal.secret=" + TestTokens.INTERNAL_SECRET,
                "--herald.fanout.ws.node-id=" + nodeId));
        args.addAll(List.of(settings));
        var node = FanoutApplication.application().run(args.toArray(String[]::new));
        // Live consumers start at the newest record: wait until this one owns its partitions.
        var live = node.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer("live-fanout");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> live != null
                        && live.getAssignedPartitions() != null
                        && !live.getAssignedPartitions().isEmpty());
        return node;
    }

    static String url(ConfigurableApplicationContext node) {
        return "ws://127.0.0.1:" + node.getBean(SocketServer.class).port() + SocketServer.PATH;
    }

    static int port(ConfigurableApplicationContext node) {
        return node.getBean(SocketServer.class).port();
    }

    /** A socket of {@code user} on {@code node}, authenticated by header. */
    static TestSocket connect(ConfigurableApplicationContext node, String user) {
        return TestSocket.connect(url(node), b -> b.header("Authorization", "Bearer " + TestTokens.jwt(user)));
    }

    /** A notification for {@code user}, as token-service would publish it. */
    static InAppNotification notification(String user, String type, String title, Map<String, String> data) {
        UUID eventId = UUID.randomUUID();
        return new InAppNotification(
                Ids.notificationId(eventId, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                user,
                type,
                title,
                "body",
                data,
                null,
                null);
    }

    /** Publishes {@code n} keyed by its user, as token-service does, and waits for the broker's ack. */
    static RecordMetadata publish(Producer<String, byte[]> producer, InAppNotification n) {
        try {
            return producer.send(new ProducerRecord<>(
                            Topics.INAPP, n.userId(), HeraldJson.mapper().writeValueAsBytes(n)))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
