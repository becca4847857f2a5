package io.herald.gateway.events;

import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Publishes events to {@code herald.events.v1} and waits, within {@code herald.gateway.publish-timeout}, for Kafka. */
@Component
public class EventPublisher {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final KafkaTemplate<String, Object> kafka;
    private final GatewayProperties properties;

    EventPublisher(KafkaTemplate<String, Object> kafka, GatewayProperties properties) {
        this.kafka = kafka;
        this.properties = properties;
    }

    /**
     * Publishes one event.
     *
     * @throws ApiProblem 503 when Kafka did not acknowledge it in time
     */
    public void publish(DomainEvent event) {
        if (!publishAll(List.of(event)).getFirst()) {
            throw ApiProblem.unavailable("Kafka");
        }
    }

    /** Publishes events together; for each, whether Kafka acknowledged it in time. */
    public List<Boolean> publishAll(List<DomainEvent> events) {
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (DomainEvent event : events) {
            try {
                sends.add(kafka.send(Topics.EVENTS, event.eventId().toString(), event));
            } catch (RuntimeException e) {
                sends.add(CompletableFuture.failedFuture(e));
            }
        }
        long deadline = System.nanoTime() + properties.publishTimeout().toNanos();
        List<Boolean> acknowledged = new ArrayList<>();
        for (int i = 0; i < sends.size(); i++) {
            try {
                sends.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                acknowledged.add(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                acknowledged.add(false);
            } catch (Exception e) {
                log.warn("event {} not published: {}", events.get(i).eventId(), e.toString());
                acknowledged.add(false);
            }
        }
        return acknowledged;
    }
}
