package io.herald.dispatch.delivery;

import io.herald.events.DeliveryStatus;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.PushDelivery;
import io.herald.events.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;

/** Reports every delivery that reached {@code herald.push.v1-dlt} as a {@code dead_lettered} delivery status. */
@Component
public class DeadLetterStatuses {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterStatuses.class);

    private final StatusPublisher statuses;
    private final MeterRegistry meters;

    DeadLetterStatuses(StatusPublisher statuses, MeterRegistry meters) {
        this.statuses = statuses;
        this.meters = meters;
    }

    public void onDeadLetter(ConsumerRecord<String, byte[]> record) {
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
        statuses.status(
                delivery, DeliveryStatus.Outcome.DEAD_LETTERED, code, TraceContext.traceparent(record.headers()));
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
