package io.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.fcm.FcmEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * FCM goes down for 20 seconds in the middle of a steady stream of deliveries, with the default retry settings:
 * when it is back, every delivery has been sent, none was lost or dead-lettered, and none was sent twice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "spring.config.name=dispatch-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProviderOutageIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("outage");

    static final FcmEmulator fcm = FcmEmulator.start();

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestProviders.fcm(registry, fcm);
    }

    @AfterAll
    static void close() {
        fcm.close();
    }

    @Test
    void aTwentySecondOutageMidStreamEndsWithEveryDeliverySentOnce() throws Exception {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        List<PushDelivery> published = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService stream = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger ticks = new AtomicInteger();
        int total = 600; // 20 a second for 30 s
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            stream.scheduleAtFixedRate(
                    () -> {
                        int tick = ticks.getAndIncrement();
                        if (tick >= total) {
                            return;
                        }
                        if (tick == 100) {
                            fcm.goDownFor(Duration.ofSeconds(20)); // 5 s into the stream
                        }
                        PushDelivery delivery = TestDeliveries.like(
                                "user-" + (tick % 17), "token-outage-" + tick + "-" + UUID.randomUUID(), Provider.FCM);
                        published.add(delivery);
                        producer.send(new ProducerRecord<>(
                                Topics.PUSH,
                                delivery.userId(),
                                HeraldJson.mapper().writeValueAsBytes(delivery)));
                    },
                    0,
                    50,
                    TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> published.size() == total);
        } finally {
            stream.shutdownNow();
        }
        assertThat(fcm.requestCount()).as("the outage answered requests").isGreaterThan(total);

        Set<String> tokens = published.stream().map(PushDelivery::token).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> receivedTokens().keySet().containsAll(tokens));
        Map<String, Integer> received = receivedTokens();
        assertThat(received.entrySet().stream().filter(e -> e.getValue() > 1))
                .as("sent twice")
                .isEmpty();

        // Every delivery recorded sent (the record of sends: statuses are not published by default); none
        // dead-lettered.
        Set<UUID> expected = new HashSet<>();
        published.forEach(d -> expected.add(d.deliveryId()));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> new HashSet<>(
                                jdbc.sql("select delivery_id from dispatch.deliveries where outcome = 'sent'")
                                        .query(UUID.class)
                                        .list())
                        .containsAll(expected));
        List<String> deadLettered = new ArrayList<>();
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "outage-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PUSH_DLT));
            // Read until the consumer has its partitions and has reached their end.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> deadLettered.add(r.key()));
                var assigned = consumer.assignment();
                if (assigned.isEmpty()) {
                    return false;
                }
                var ends = consumer.endOffsets(assigned);
                return assigned.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
        }
        assertThat(deadLettered).isEmpty();
    }

    private static Map<String, Integer> receivedTokens() {
        Map<String, Integer> counts = new HashMap<>();
        for (FcmEmulator.Received r : fcm.received()) {
            counts.merge(r.message().path("token").asString(), 1, Integer::sum);
        }
        return counts;
    }
}
