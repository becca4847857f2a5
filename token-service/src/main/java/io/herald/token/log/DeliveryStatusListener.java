package io.herald.token.log;

import io.herald.events.DeliveryStatus;
import io.herald.events.Topics;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Keeps the delivery log up to date from {@code herald.delivery-status.v1} (published only where dispatch-service
 * and ws-fanout-service have {@code herald.delivery-status.publish} on), a poll's worth of statuses in one
 * batch of statements (a status per delivery and per socket write: one transaction each took more of the
 * database than the routing it reports on). A record that cannot be read (its strings breaking {@code TextRules}
 * among the reasons), or that the table refuses on its own ({@link DataRefusals}), goes to {@code
 * herald.delivery-status.v1-dlt} with the reason; the records around it are written.
 */
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
            containerFactory = "deliveryStatusContainerFactory",
            // Larger, fewer fetches and batches of statements: the log may trail the statuses by up to 100 ms.
            properties = {"fetch.min.bytes=65536", "fetch.max.wait.ms=100"})
    void onStatuses(List<ConsumerRecord<String, DeliveryStatus>> records) {
        List<DeliveryLog.Entry> entries = new ArrayList<>(records.size());
        List<ConsumerRecord<String, DeliveryStatus>> sources = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, DeliveryStatus> record = records.get(i);
            if (record.value() == null) {
                // What came before it is written; the error handler dead-letters this one and redelivers the rest.
                write(entries, sources);
                throw UnreadableRecords.failure(record, i, "a delivery status");
            }
            DeliveryLog.Entry entry = entry(record.value());
            if (entry != null) {
                entries.add(entry);
                sources.add(record);
            }
        }
        write(entries, sources);
    }

    private void write(List<DeliveryLog.Entry> statuses, List<ConsumerRecord<String, DeliveryStatus>> sources) {
        // A status the table refuses fails alone: the batch is written again by halves to find it.
        List<DataRefusals.Refusal> refused = DataRefusals.refusedAmong(statuses, log::write);
        if (refused.isEmpty()) {
            return;
        }
        DataRefusals.Refusal first = refused.getFirst();
        throw UnreadableRecords.refused(
                sources.get(first.index()), "delivery status", "the delivery log", first.cause());
    }

    /** The log entry a status makes, or null for one that concerns no user and channel. */
    static DeliveryLog.@Nullable Entry entry(DeliveryStatus status) {
        if (status.userId() == null || status.channel() == null) {
            return null;
        }
        String key = status.deliveryId() != null
                ? status.deliveryId().toString()
                : status.notificationId() != null ? status.notificationId().toString() : DeliveryLog.NONE;
        return new DeliveryLog.Entry(
                status.eventId(),
                status.userId(),
                status.channel().name().toLowerCase(Locale.ROOT),
                key,
                status.provider() == null ? null : status.provider().name().toLowerCase(Locale.ROOT),
                status.outcome(),
                status.reason(),
                status.occurredAt(),
                status.notificationId());
    }
}
