package io.herald.token.log;

import io.herald.events.DeliveryStatus;
import io.herald.events.Topics;
import java.util.List;
import java.util.Locale;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Keeps the delivery log up to date from {@code herald.delivery-status.v1}. */
@Component
class DeliveryStatusListener {

    private final DeliveryLog log;

    DeliveryStatusListener(DeliveryLog log) {
        this.log = log;
    }

    @KafkaListener(
            id = "delivery-log",
            groupId = "herald-token-delivery-log",
            topics = Topics.DELIVERY_STATUS,
            containerFactory = "deliveryStatusContainerFactory")
    void onStatus(DeliveryStatus status) {
        if (status.userId() == null || status.channel() == null) {
            return;
        }
        String key = status.deliveryId() != null
                ? status.deliveryId().toString()
                : status.notificationId() != null ? status.notificationId().toString() : DeliveryLog.NONE;
        log.write(List.of(new DeliveryLog.Entry(
                status.eventId(),
                status.userId(),
                status.channel().name().toLowerCase(Locale.ROOT),
                key,
                status.provider() == null ? null : status.provider().name().toLowerCase(Locale.ROOT),
                status.outcome(),
                status.reason(),
                status.occurredAt())));
    }
}
