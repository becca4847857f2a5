package io.herald.dispatch.delivery;

import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.PushDelivery;
import io.herald.events.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.KafkaException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;

/**
 * Records every delivery that reached {@code herald.push.v1-dlt} as a {@code dead_lettered} row of the delivery
 * log (its latest attempt, so {@code GET /internal/v1/deliveries} shows it), and reports it as a {@code
 * dead_lettered} delivery status when statuses are published ({@code herald.delivery-status.publish}).
 */
@Component
public class DeadLetterStatuses {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterStatuses.class);

    private final DeliveryLog deliveries;
    private final StatusPublisher statuses;
    private final MeterRegistry meters;

    DeadLetterStatuses(DeliveryLog deliveries, StatusPublisher statuses, MeterRegistry meters) {
        this.deliveries = deliveries;
        this.statuses = statuses;
        this.meters = meters;
    }

    /**
     * Records (and reports) one dead letter; returns once the row is stored and the status, if any, acknowledged,
     * so that the record's offset is committed after both.
     *
     * @throws org.springframework.dao.DataAccessException when the row could not be stored (the database away)
     * @throws KafkaException when the status could not be published
     */
    public void onDeadLetter(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        Header reason = record.headers().lastHeader(HeraldHeaders.DLT_REASON_CODE);
        String code = reason == null ? "unknown" : new String(reason.value(), StandardCharsets.UTF_8);
        meters.counter("herald.dispatch.dead.letters", "reason", code).increment();
        PushDelivery delivery = readable(record.value());
        if (delivery == null || delivery.deliveryId() == null || delivery.eventId() == null) {
            log.warn(
                    "an unreadable record was dead-lettered ({}) at {}-{}@{}",
                    code,
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        if (delivery.userId() == null || delivery.provider() == null) {
            // An invalid delivery (DeliveryChecks): the log's row needs both; its status still names it.
            log.debug(
                    "delivery {} dead-lettered ({}) has no user or provider; not recorded",
                    delivery.deliveryId(),
                    code);
        } else {
            String refused = deliveries.deadLettered(delivery, code);
            if (refused != null) {
                log.warn(
                        "delivery {} (event {}): its dead letter was refused by the delivery log ({}); not recorded",
                        delivery.deliveryId(),
                        delivery.eventId(),
                        refused);
                meters.counter("herald.dispatch.unrecorded").increment();
            }
        }
        Optional<CompletableFuture<?>> status = statuses.status(
                delivery, DeliveryStatus.Outcome.DEAD_LETTERED, code, TraceContext.traceparent(record.headers()));
        if (status.isPresent()) {
            try {
                status.get().get();
            } catch (ExecutionException e) {
                throw new KafkaException("a dead letter's status could not be published; it will be read again", e);
            }
        }
    }

    private static @Nullable PushDelivery readable(byte @Nullable [] value) {
        if (value == null) {
            return null;
        }
        try {
            return HeraldJson.mapper().readValue(value, PushDelivery.class);
        } catch (JacksonException e) {
            return null;
        }
    }
}
