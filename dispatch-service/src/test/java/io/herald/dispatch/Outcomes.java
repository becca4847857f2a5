package io.herald.dispatch;

import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldJson;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * What dispatch-service made of the deliveries a test published: the statuses, token feedback and dead letters
 * it wrote, read from the broker; and a producer that puts deliveries on {@code herald.push.v1} together, in one
 * record batch of one partition, so that they reach the dispatcher in one poll.
 */
public final class Outcomes implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public Outcomes(String bootstrapServers) {
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Records sent together wait for each other: one batch, read in one poll.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 200);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes {@code values} under one {@code key} (one partition), in one record batch. */
    public void publishTogether(String key, List<byte[]> values) {
        var sends = values.stream()
                .map(value -> producer.send(new ProducerRecord<>(Topics.PUSH, key, value)))
                .toList();
        producer.flush();
        for (var send : sends) {
            try {
                send.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Publishes {@code deliveries} under one {@code key}, in one record batch. */
    public void publishDeliveriesTogether(String key, List<PushDelivery> deliveries) {
        publishTogether(
                key,
                deliveries.stream()
                        .map(d -> HeraldJson.mapper().writeValueAsBytes(d))
                        .toList());
    }

    /** Every status, token feedback and dead letter so far. */
    public synchronized List<ConsumerRecord<String, byte[]>> records() {
        if (consumer.subscription().isEmpty()) {
            consumer.subscribe(List.of(Topics.DELIVERY_STATUS, Topics.TOKEN_FEEDBACK, Topics.PUSH_DLT));
        }
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return List.copyOf(seen);
    }

    public List<DeliveryStatus.Outcome> statusesOf(PushDelivery delivery) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.DELIVERY_STATUS))
                .map(r -> HeraldJson.mapper().readValue(r.value(), DeliveryStatus.class))
                .filter(s -> delivery.deliveryId().equals(s.deliveryId()))
                .map(DeliveryStatus::outcome)
                .toList();
    }

    /** The dead letter of {@code delivery}, if it has one. */
    public Optional<ConsumerRecord<String, byte[]>> deadLetterOf(PushDelivery delivery) {
        return records().stream()
                .filter(r -> r.topic().equals(Topics.PUSH_DLT))
                .filter(r -> delivery.deliveryId().equals(deliveryId(r.value())))
                .findFirst();
    }

    public List<ConsumerRecord<String, byte[]>> deadLetters() {
        return records().stream().filter(r -> r.topic().equals(Topics.PUSH_DLT)).toList();
    }

    private static @Nullable UUID deliveryId(byte @Nullable [] value) {
        try {
            return value == null
                    ? null
                    : HeraldJson.mapper().readValue(value, PushDelivery.class).deliveryId();
        } catch (JacksonException e) {
            return null;
        }
    }

    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }
}
