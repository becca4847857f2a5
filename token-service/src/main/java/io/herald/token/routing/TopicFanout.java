package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.herald.token.topics.TopicProperties;
import io.herald.token.topics.TopicSubscriptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Fans an event out to the subscribers of the topics it names ({@link DomainEvent#topics()}), in bounded memory and
 * in chunks through Kafka ({@code herald.topic-fanout.v1}):
 *
 * <ol>
 *   <li>{@link #divert} (in {@link RoutingListener#accept}, the path of every event that is due): the event's listed
 *       recipients are routed as any event's; for each topic one plan record is published.
 *   <li>{@link #plan} (a plan record, read by {@link TopicFanoutListener}): one statement reads the first subscriber
 *       of every {@code chunk-size} from the subscription index, for at most {@code plan-chunks} chunks, and publishes
 *       a chunk record per range, and a continuation plan record for the rest of the topic.
 *   <li>A chunk record: {@link TopicFanoutListener} reads its range's subscribers and routes the event to them through
 *       {@link RoutingListener#accept}, as if they were its recipients: preferences, quiet hours, frequency caps and
 *       the actor's rule apply to them as to listed recipients.
 * </ol>
 *
 * <p>At least once: a record handled again (a crash before its offset was committed, a retry) publishes the same
 * records again, and a subscriber reached again gets the same notification and delivery ids ({@link
 * io.herald.events.Ids}), which the inbox and dispatch-service take once. Subscriptions made or ended while an event
 * fans out may or may not hear of it. Thread-safe.
 */
@Component
class TopicFanout {

    private static final Logger log = LoggerFactory.getLogger(TopicFanout.class);

    private final TopicSubscriptions subscriptions;
    private final TopicProperties properties;
    private final RoutingProperties routing;
    private final KafkaTemplate<String, Object> kafka;

    TopicFanout(
            TopicSubscriptions subscriptions,
            TopicProperties properties,
            RoutingProperties routing,
            KafkaTemplate<String, Object> kafka) {
        this.subscriptions = subscriptions;
        this.properties = properties;
        this.routing = routing;
        this.kafka = kafka;
    }

    /**
     * Starts the fan-out of every event naming topics (a plan record per topic, acknowledged by Kafka before this
     * returns) and answers what to route now: each event with its listed recipients only (and none without any). The
     * events as they are when none names a topic.
     */
    List<DomainEvent> divert(List<DomainEvent> due, Map<UUID, String> traces) throws InterruptedException {
        if (due.stream().allMatch(e -> e.topics() == null)) {
            return due;
        }
        List<DomainEvent> now = new ArrayList<>(due.size());
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (DomainEvent event : due) {
            List<String> topics = event.topics();
            if (topics == null) {
                now.add(event);
                continue;
            }
            for (String topic : new LinkedHashSet<>(topics)) {
                sends.add(send(FanoutWork.start(event, topic), traces.get(event.eventId())));
            }
            if (!event.recipients().isEmpty()) {
                now.add(event.withRecipients(event.recipients()));
            }
            log.debug("event {}: fan-out to {} topics started", event.eventId(), topics.size());
        }
        waitFor(sends);
        return now;
    }

    /** Lays out a plan record's chunks (and its continuation), published and acknowledged before this returns. */
    void plan(FanoutWork plan, @Nullable String traceparent) throws InterruptedException {
        List<String> starts =
                subscriptions.chunkStarts(plan.topic(), plan.from(), properties.chunkSize(), properties.planChunks());
        List<FanoutWork> laid = plan.layOut(starts, properties.planChunks());
        List<CompletableFuture<?>> sends = new ArrayList<>(laid.size());
        for (FanoutWork work : laid) {
            sends.add(send(work, traceparent));
        }
        waitFor(sends);
        log.debug(
                "event {}: topic {} planned from {}: {} records",
                plan.event().eventId(),
                plan.topic(),
                plan.from(),
                laid.size());
    }

    private CompletableFuture<?> send(FanoutWork work, @Nullable String traceparent) {
        var record = new ProducerRecord<String, Object>(Topics.TOPIC_FANOUT, work.key(), work);
        TraceContext.propagate(traceparent, record.headers());
        return kafka.send(record);
    }

    private void waitFor(List<CompletableFuture<?>> sends) throws InterruptedException {
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .get(routing.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("topic fan-out records not acknowledged by Kafka", e);
        }
    }
}
