package io.herald.fanout.inbox;

import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.events.kafka.DataRefusals;
import io.herald.events.kafka.UnreadableRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Persists every in-app notification once, a poll's worth in one round trip. All nodes share this consumer
 * group, so each notification is stored by exactly one node; the store upserts on the notification id, so a
 * redelivery is harmless. A record that cannot be read (its strings breaking {@code TextRules} among the reasons),
 * or that the table refuses on its own ({@link DataRefusals}), goes to {@code herald.inapp.v1-dlt} with the reason;
 * the records around it are stored. The database being away is retried, never dead-lettered.
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
            // Larger, fewer fetches and inserts: the inbox may trail the live path by up to 100 ms.
            properties = {"fetch.min.bytes=65536", "fetch.max.wait.ms=100"},
            autoStartup = "${herald.fanout.inbox.writer-enabled:true}")
    void onNotifications(List<ConsumerRecord<String, InAppNotification>> records) {
        List<InAppNotification> readable = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, InAppNotification> record = records.get(i);
            if (record.value() == null) {
                // What came before it is stored; the error handler dead-letters this one and redelivers the rest.
                store(readable, records);
                throw UnreadableRecords.failure(record, i, "an in-app notification");
            }
            readable.add(record.value());
        }
        store(readable, records);
    }

    private void store(List<InAppNotification> batch, List<ConsumerRecord<String, InAppNotification>> records) {
        if (batch.isEmpty()) {
            return;
        }
        int[] stored = {0};
        // A notification the table refuses fails alone: the batch is stored again by halves to find it.
        List<DataRefusals.Refusal> refused =
                DataRefusals.refusedAmong(batch, part -> stored[0] += store.storeAll(part));
        int duplicates = Math.max(0, batch.size() - refused.size() - stored[0]);
        count(stored[0], duplicates);
        log.debug("inbox stored {} notifications, {} already there", stored[0], duplicates);
        if (!refused.isEmpty()) {
            DataRefusals.Refusal first = refused.getFirst();
            throw UnreadableRecords.refused(
                    records.get(first.index()), "in-app notification", "the inbox", first.cause());
        }
    }

    private void count(int stored, int duplicates) {
        meters.counter("herald.fanout.inbox.writes", "result", "stored").increment(stored);
        meters.counter("herald.fanout.inbox.writes", "result", "duplicate").increment(duplicates);
    }
}
