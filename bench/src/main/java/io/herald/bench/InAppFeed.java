package io.herald.bench;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.testkit.KafkaBroker;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Notifications onto {@code herald.inapp.v1}, as token-service publishes them: the same records for Herald's node
 * and for the peer, each carrying its publish time in {@code data.sent_us}.
 */
final class InAppFeed implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    InAppFeed(KafkaBroker kafka) {
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    void publish(String user, long sentMicros) {
        UUID eventId = UUID.randomUUID();
        var notification = new InAppNotification(
                Ids.notificationId(eventId, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                user,
                "product_like",
                "Your product was liked",
                "Bob liked your product \"Red bike\"",
                Map.of("productId", "p-1", "sent_us", Long.toString(sentMicros)),
                null,
                null);
        producer.send(
                new ProducerRecord<>(Topics.INAPP, user, HeraldJson.mapper().writeValueAsBytes(notification)));
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
