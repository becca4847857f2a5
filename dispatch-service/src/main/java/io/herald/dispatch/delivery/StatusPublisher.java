package io.herald.dispatch.delivery;

import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.DomainEvent;
import io.herald.events.PushDelivery;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes delivery outcomes ({@code herald.delivery-status.v1}), when {@code herald.delivery-status.publish} is
 * on, and dead tokens ({@code herald.token-feedback.v1}), always. Thread-safe.
 */
@Component
public class StatusPublisher {

    static final String SERVICE = "dispatch-service";

    private final KafkaTemplate<String, Object> kafka;
    private final Clock clock;
    private final boolean publishing;

    StatusPublisher(KafkaTemplate<String, Object> kafka, Clock clock, DeliveryStatusProperties settings) {
        this.kafka = kafka;
        this.clock = clock;
        this.publishing = settings.publish();
    }

    /**
     * Publishes the status, when statuses are published ({@code herald.delivery-status.publish}).
     *
     * @return the send, completing when Kafka has the status; empty when statuses are not published (nothing was
     *     sent, and there is nothing to wait for)
     */
    public Optional<CompletableFuture<?>> status(
            PushDelivery delivery,
            DeliveryStatus.Outcome outcome,
            @Nullable String reason,
            @Nullable String traceparent) {
        if (!publishing) {
            return Optional.empty();
        }
        var status = new DeliveryStatus(
                delivery.eventId(),
                DomainEvent.SCHEMA_VERSION,
                clock.instant(),
                delivery.userId(),
                Channel.PUSH,
                delivery.notificationId(),
                delivery.deliveryId(),
                delivery.provider(),
                outcome,
                reason,
                SERVICE);
        return Optional.of(send(Topics.DELIVERY_STATUS, delivery.eventId().toString(), status, traceparent));
    }

    CompletableFuture<?> deadToken(PushDelivery delivery, String reason, @Nullable String traceparent) {
        var feedback = new TokenFeedback(
                delivery.eventId(),
                DomainEvent.SCHEMA_VERSION,
                clock.instant(),
                delivery.provider(),
                delivery.token(),
                reason,
                delivery.deliveryId());
        return send(Topics.TOKEN_FEEDBACK, delivery.token(), feedback, traceparent);
    }

    /** Sends with the event's trace context, so the status belongs to the event's trace. */
    private CompletableFuture<?> send(String topic, String key, Object value, @Nullable String traceparent) {
        var record = new ProducerRecord<String, Object>(topic, key, value);
        TraceContext.propagate(traceparent, record.headers());
        return kafka.send(record);
    }
}
