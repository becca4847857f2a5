package io.herald.fanout.inbox;

import io.herald.events.Change;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Persists every in-app notification once, a poll's worth in one round trip, and applies withdrawals and updates
 * ({@link InAppNotification#change()}) in stream order, see {@link InboxStore#withdraw} and {@link InboxStore#update}. All nodes share this consumer
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
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, InAppNotification> record = records.get(i);
            if (record.value() == null) {
                // What came before it is stored; the error handler dead-letters this one and redelivers the rest.
                store(records.subList(0, i + 1));
                throw UnreadableRecords.failure(record, i, "an in-app notification");
            }
        }
        store(records);
    }

    /**
     * Stores the readable ones of {@code records} with their positions, and records the writers' progress past
     * all of them (an unreadable one is dead-lettered, never stored: a resume need not wait for it).
     */
    private void store(List<ConsumerRecord<String, InAppNotification>> records) {
        List<InboxStore.Positioned> batch = new ArrayList<>(records.size());
        List<ConsumerRecord<String, InAppNotification>> stored = new ArrayList<>(records.size());
        for (ConsumerRecord<String, InAppNotification> record : records) {
            if (record.value() != null) {
                batch.add(new InboxStore.Positioned(record.value(), record.partition(), record.offset()));
                stored.add(record);
            }
        }
        if (records.isEmpty()) {
            return;
        }
        Map<Integer, Long> all = progress(records);
        int[] added = {0};
        List<DataRefusals.Refusal> refused;
        if (batch.stream().allMatch(record -> record.notification().change() == null)) {
            // A notification the table refuses fails alone: the batch is stored again by halves to find it.
            refused = DataRefusals.refusedAmong(
                    batch, part -> added[0] += store.store(part, part.size() == batch.size() ? all : progressOf(part)));
        } else {
            refused = inOrder(batch, added);
        }
        if (!refused.isEmpty() || batch.size() < records.size()) {
            // The refused and the unreadable go to the dead-letter topic, never to the inbox: a resume need not
            // wait for them.
            store.recordProgress(all);
        }
        int news = (int) batch.stream()
                .filter(record -> record.notification().change() == null)
                .count();
        int duplicates = Math.max(0, news - refused.size() - added[0]);
        count(added[0], duplicates);
        log.debug("inbox stored {} notifications, {} already there", added[0], duplicates);
        if (!refused.isEmpty()) {
            DataRefusals.Refusal first = refused.getFirst();
            throw UnreadableRecords.refused(
                    stored.get(first.index()), "in-app notification", "the inbox", first.cause());
        }
    }

    /**
     * Applies a batch holding withdrawals or updates in stream order: each run of new notifications in one statement,
     * each change on its own (a withdrawal after its notification in the same poll must find it stored). The
     * writers' progress is raised only after all of it, so a resume never sees a mark past a change not yet applied.
     * A failure of the database part way retries the whole poll, which is harmless: every step is idempotent.
     *
     * @return the refused records, with their indices in {@code batch}
     */
    private List<DataRefusals.Refusal> inOrder(List<InboxStore.Positioned> batch, int[] added) {
        List<DataRefusals.Refusal> refused = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= batch.size(); i++) {
            if (i < batch.size() && batch.get(i).notification().change() == null) {
                continue;
            }
            int runStart = start;
            for (DataRefusals.Refusal refusal : DataRefusals.refusedAmong(
                    batch.subList(start, i), part -> added[0] += store.store(part, Map.of()))) {
                refused.add(new DataRefusals.Refusal(runStart + refusal.index(), refusal.cause()));
            }
            if (i < batch.size()) {
                int at = i;
                for (DataRefusals.Refusal refusal :
                        DataRefusals.refusedAmong(batch.subList(i, i + 1), part -> apply(part.getFirst()))) {
                    refused.add(new DataRefusals.Refusal(at, refusal.cause()));
                }
            }
            start = i + 1;
        }
        store.recordProgress(progressOf(batch));
        return refused;
    }

    /** One withdrawal or update, counted by what it did. */
    private void apply(InboxStore.Positioned record) {
        InAppNotification change = record.notification();
        var position = new InboxStore.StreamPosition(record.partition(), record.offset());
        Change.Kind kind = change.change();
        if (kind == Change.Kind.WITHDRAW) {
            int deleted = store.withdraw(change, position);
            meters.counter(
                            "herald.fanout.inbox.changes",
                            "kind",
                            "withdraw",
                            "result",
                            deleted > 0 ? "applied" : "none")
                    .increment();
            log.debug("inbox withdrawal {} deleted {} notifications", change.notificationId(), deleted);
        } else if (kind == Change.Kind.UPDATE) {
            boolean updated = store.update(change, position);
            meters.counter("herald.fanout.inbox.changes", "kind", "update", "result", updated ? "applied" : "none")
                    .increment();
            log.debug(
                    "inbox update of {} {}", change.notificationId(), updated ? "applied" : "found nothing to update");
        }
    }

    /** Each partition of {@code records} to the offset after its last one. */
    private static Map<Integer, Long> progress(List<? extends ConsumerRecord<?, ?>> records) {
        var next = new HashMap<Integer, Long>();
        for (ConsumerRecord<?, ?> record : records) {
            next.merge(record.partition(), record.offset() + 1, Math::max);
        }
        return next;
    }

    /** As {@link #progress(List)}, for stored notifications. */
    private static Map<Integer, Long> progressOf(List<InboxStore.Positioned> part) {
        var next = new HashMap<Integer, Long>();
        for (InboxStore.Positioned record : part) {
            next.merge(record.partition(), record.offset() + 1, Math::max);
        }
        return next;
    }

    private void count(int stored, int duplicates) {
        meters.counter("herald.fanout.inbox.writes", "result", "stored").increment(stored);
        meters.counter("herald.fanout.inbox.writes", "result", "duplicate").increment(duplicates);
    }
}
