package io.herald.gateway.events;

import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Publishes events to {@code herald.events.v1} and waits, within {@code herald.gateway.publish-timeout}, for Kafka. */
@Component
public class EventPublisher {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final KafkaTemplate<String, Object> kafka;
    private final GatewayProperties properties;
    private final @Nullable Tracer tracer;
    private final @Nullable Propagator propagator;

    EventPublisher(
            KafkaTemplate<String, Object> kafka,
            GatewayProperties properties,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        this.kafka = kafka;
        this.properties = properties;
        this.tracer = tracer.getIfAvailable();
        this.propagator = propagator.getIfAvailable();
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
        String traceparent = traceparent();
        for (DomainEvent event : events) {
            try {
                var record = new ProducerRecord<String, Object>(
                        Topics.EVENTS, event.eventId().toString(), event);
                TraceContext.propagate(traceparent, record.headers());
                sends.add(kafka.send(record));
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

    /**
     * The request's trace context as a W3C {@code traceparent}, put on every record of the request: one
     * formatting per request instead of a producer span per record, which cost a sixth of the batch endpoint's
     * CPU.
     */
    private @Nullable String traceparent() {
        if (tracer == null || propagator == null) {
            return null;
        }
        io.micrometer.tracing.TraceContext context =
                tracer.currentTraceContext().context();
        if (context == null) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>();
        propagator.inject(context, carrier, (map, key, value) -> {
            if (map != null) {
                map.put(key, value);
            }
        });
        return carrier.get(TraceContext.TRACEPARENT);
    }
}
