package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.ClientAction;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.testkit.KafkaProcess;
import io.herald.testkit.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code work_response}: accepted only for work assigned to the user, and acknowledged only once Kafka has it. A
 * broker in a process of its own, so it can be stopped under the node.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WorkResponseIT {

    static final KafkaProcess kafka = KafkaProcess.start();
    static final PostgresServer.Database db = PostgresServer.shared().newDatabase("work_response");

    static ConfigurableApplicationContext node;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startNode() {
        node = TestNode.start("work", kafka.bootstrapServers(), db, "--herald.fanout.ws.action-timeout=2s");
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (node != null) {
            node.close();
        }
        kafka.close();
    }

    @Test
    void aWorkResponseIsAcceptedOnlyForWorkAssignedToTheUser() {
        String tech = "tech-" + UUID.randomUUID();
        String other = "tech-" + UUID.randomUUID();
        List<InAppNotification> stored = List.of(
                TestNode.notification(tech, "work_assigned", "by data.work_id", Map.of("work_id", "w-1")),
                TestNode.notification(tech, "work_assigned", "by data.workId", Map.of("workId", "w-2")),
                withObject(TestNode.notification(tech, "work_assigned", "by object.id", Map.of()), "w-3"),
                // Not an assignment, though it names a work id.
                TestNode.notification(tech, "work_response", "not an assignment", Map.of("work_id", "w-4")),
                TestNode.notification(other, "work_assigned", "someone else's", Map.of("work_id", "w-9")));
        stored.forEach(n -> TestNode.publish(producer, n));
        await().atMost(Duration.ofSeconds(30)).until(() -> stored.stream().allMatch(n -> rows(n) == 1));

        try (var socket = TestNode.connect(node, tech)) {
            List<String> accepted = new ArrayList<>();
            for (String workId : List.of("w-1", "w-2", "w-3")) {
                JsonNode ack = socket.ask(workResponse(workId, true), "action_accepted");
                accepted.add(ack.path("action_id").asString());
            }
            for (String workId : List.of("w-4", "w-9", "w-unknown")) {
                socket.send(workResponse(workId, false));
                JsonNode refused = socket.nextOf("error", "action_accepted");
                assertThat(refused.path("type").asString()).as(workId).isEqualTo("error");
                assertThat(refused.path("code").asString()).as(workId).isEqualTo("not_found");
                assertThat(refused.path("request_type").asString()).isEqualTo("work_response");
            }

            // Acknowledged means on the topic: each accepted one is there, and nothing of the refused ones.
            List<ClientAction> actions = clientActions();
            assertThat(actions.stream().map(a -> a.eventId().toString())).containsAll(accepted);
            assertThat(actions.stream()
                            .filter(a -> a.userId().equals(tech))
                            .map(a -> a.payload().get("work_id")))
                    .containsExactlyInAnyOrder("w-1", "w-2", "w-3");
        }
    }

    @Test
    void aWorkResponseIsAcknowledgedOnlyOnceKafkaHasIt() {
        String tech = "tech-" + UUID.randomUUID();
        var assigned = TestNode.notification(tech, "work_assigned", "job", Map.of("work_id", "w-77"));
        TestNode.publish(producer, assigned);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(assigned) == 1);

        try (var socket = TestNode.connect(node, tech)) {
            socket.next("unread_count");
            kafka.stop();
            try {
                long asked = System.nanoTime();
                socket.send(workResponse("w-77", true));
                JsonNode unavailable = socket.nextOf("error", "action_accepted");
                assertThat(unavailable.path("type").asString()).isEqualTo("error");
                assertThat(unavailable.path("code").asString()).isEqualTo("unavailable");
                assertThat(unavailable.path("request_type").asString()).isEqualTo("work_response");
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(10));
                assertThat(socket.has("action_accepted")).isFalse();
            } finally {
                kafka.startAgain();
            }
            // With the broker back, the client's retry is acknowledged, and on the topic.
            JsonNode ack = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                socket.send(workResponse("w-77", true));
                                return socket.nextOf("action_accepted", "error");
                            },
                            answer -> answer.path("type").asString().equals("action_accepted"));
            assertThat(clientActions().stream().map(a -> a.eventId().toString()))
                    .contains(ack.path("action_id").asString());
        }
    }

    private static String workResponse(String workId, boolean accepted) {
        return "{\"type\":\"work_response\",\"work_id\":\"" + workId + "\",\"accepted\":" + accepted + "}";
    }

    private static InAppNotification withObject(InAppNotification n, String objectId) {
        return new InAppNotification(
                n.notificationId(),
                n.eventId(),
                n.schemaVersion(),
                n.occurredAt(),
                n.userId(),
                n.type(),
                n.title(),
                n.body(),
                n.data(),
                new DomainEvent.Actor("dispatcher-1", "Dispatch"),
                new DomainEvent.EventObject(objectId, "work", "Boiler repair"));
    }

    private static long rows(InAppNotification n) {
        return node.getBean(JdbcClient.class)
                .sql("select count(*) from inbox.notifications where notification_id = :id")
                .param("id", n.notificationId())
                .query(Long.class)
                .single();
    }

    /** Every client action on the topic now. */
    private static List<ClientAction> clientActions() {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ClientAction> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.CLIENT_ACTIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    found.add(HeraldJson.mapper().readValue(record.value(), ClientAction.class));
                }
            }
        }
        return found;
    }
}
