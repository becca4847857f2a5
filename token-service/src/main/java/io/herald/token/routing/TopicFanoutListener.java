package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import io.herald.token.topics.TopicProperties;
import io.herald.token.topics.TopicSubscriptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads {@code herald.topic-fanout.v1} ({@link TopicFanout}) a few records a poll ({@code max-poll-records}): lays out
 * plan records, and routes chunk records to their subscribers. A chunk's subscribers are read a page at a time (two
 * chunks' worth: a range that grew since it was planned takes more pages, never more memory), the event's listed
 * recipients taken out, and the poll's chunks routed together through {@link RoutingListener#accept}, so that their
 * devices and preferences are one lookup each.
 *
 * <p>Bad records fail alone, as on {@code herald.events.v1}: one that cannot be read is dead-lettered to {@code
 * herald.topic-fanout.v1-dlt} (the records before it handled and committed); one whose data the database refuses
 * (SQLState class 22 or 23) is found by halving the poll ({@link DataRefusals}), and dead-lettered with the reason
 * after every other record of the poll was handled. Anything else (the database, Kafka away) is retried as a whole.
 */
@Component
class TopicFanoutListener {

    private static final Logger log = LoggerFactory.getLogger(TopicFanoutListener.class);

    private final TopicFanout fanout;
    private final RoutingListener routing;
    private final TopicSubscriptions subscriptions;
    private final TopicProperties properties;

    TopicFanoutListener(
            TopicFanout fanout, RoutingListener routing, TopicSubscriptions subscriptions, TopicProperties properties) {
        this.fanout = fanout;
        this.routing = routing;
        this.subscriptions = subscriptions;
        this.properties = properties;
    }

    @KafkaListener(
            id = "topic-fanout",
            groupId = "herald-token-topic-fanout",
            topics = Topics.TOPIC_FANOUT,
            containerFactory = "topicFanoutContainerFactory",
            concurrency = "${herald.token.topics.consumers:2}")
    void onWork(List<ConsumerRecord<String, FanoutWork>> records) throws InterruptedException {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).value() == null) {
                handleEachAlone(records.subList(0, i));
                throw UnreadableRecords.failure(records.get(i), i, "a topic fan-out record");
            }
        }
        handleEachAlone(records);
    }

    private void handleEachAlone(List<ConsumerRecord<String, FanoutWork>> batch) throws InterruptedException {
        List<DataRefusals.Refusal> refused = DataRefusals.refusedAmong(batch, this::handle);
        if (!refused.isEmpty()) {
            DataRefusals.Refusal first = refused.getFirst();
            ConsumerRecord<String, FanoutWork> record = batch.get(first.index());
            log.warn(
                    "topic fan-out of event {} at {}-{}@{} refused by the database, dead-lettered",
                    record.value().event().eventId(),
                    record.topic(),
                    record.partition(),
                    record.offset());
            throw UnreadableRecords.refused(record, "topic fan-out record", "the database", first.cause());
        }
    }

    private void handle(List<ConsumerRecord<String, FanoutWork>> batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        int page = 2 * properties.chunkSize();
        int flushAt = properties.chunkSize() * properties.maxPollRecords();
        List<DomainEvent> parts = new ArrayList<>();
        Map<UUID, String> traces = new HashMap<>();
        int users = 0;
        for (ConsumerRecord<String, FanoutWork> record : batch) {
            FanoutWork work = record.value();
            String traceparent = TraceContext.traceparent(record.headers());
            if (work.plan()) {
                fanout.plan(work, traceparent);
                continue;
            }
            if (traceparent != null) {
                traces.put(work.event().eventId(), traceparent);
            }
            Set<String> listed = new HashSet<>(work.event().recipients());
            String from = requireFrom(work);
            String after = null;
            List<String> subscribers;
            do {
                subscribers = subscriptions.subscribers(work.topic(), from, after, work.until(), page);
                List<String> reached = listed.isEmpty()
                        ? subscribers
                        : subscribers.stream().filter(u -> !listed.contains(u)).toList();
                if (!reached.isEmpty()) {
                    parts.add(work.event().withRecipients(reached));
                    users += reached.size();
                }
                if (users >= flushAt) {
                    routing.accept(parts, traces);
                    parts = new ArrayList<>();
                    users = 0;
                }
                after = subscribers.isEmpty() ? null : subscribers.getLast();
            } while (subscribers.size() == page);
        }
        if (!parts.isEmpty()) {
            routing.accept(parts, traces);
        }
    }

    private static String requireFrom(FanoutWork chunk) {
        @Nullable String from = chunk.from();
        if (from == null) {
            throw UnreadableRecords.noValue("a topic fan-out chunk without its range");
        }
        return from;
    }
}
