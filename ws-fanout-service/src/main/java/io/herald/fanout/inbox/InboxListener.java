package io.herald.fanout.inbox;

import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Persists every in-app notification once. All nodes share this consumer group, so each notification is
 * stored by exactly one node; the store upserts on the notification id, so a redelivery is harmless.
 */
@Component
class InboxListener {

    private static final Logger log = LoggerFactory.getLogger(InboxListener.class);

    private final InboxStore store;
    private final MeterRegistry meters;

    InboxListener(InboxStore store, MeterRegistry meters) {
        this.store = store;
        this.meters = meters;
    }

    @KafkaListener(
            id = "inbox-writer",
            topics = Topics.INAPP,
            groupId = "herald-ws-fanout-service",
            autoStartup = "${herald.fanout.inbox.writer-enabled:true}")
    void onNotification(InAppNotification notification) {
        boolean stored = store.store(notification);
        meters.counter("herald.fanout.inbox.writes", "result", stored ? "stored" : "duplicate")
                .increment();
        log.debug(
                "inbox {} notification {} of event {}",
                stored ? "stored" : "already had",
                notification.notificationId(),
                notification.eventId());
    }
}
