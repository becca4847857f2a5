package io.herald.token.routing;

import io.herald.events.DeadLetters;
import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Routes the scheduled events ({@link ScheduledEvents}) when they are due: every {@code poll-interval}, on a thread of
 * its own, one transaction takes up to {@code batch-size} due rows (earliest first, {@code FOR UPDATE SKIP LOCKED},
 * deleting them), routes them through the listener's path ({@link RoutingListener#accept}: skips and history
 * written in this transaction, notifications published and acknowledged by Kafka), and commits; a full batch is
 * followed at once by the next.
 *
 * <p>Guarantees: a due event is routed once its transaction commits, by one instance (the others skip the rows it
 * holds). A crash or a failure after Kafka acknowledged its notifications and before the commit leaves the rows in
 * the table, and they are routed again: the derived ids ({@link io.herald.events.Ids}) make that harmless, as for a
 * redelivered record. Anything failing (the database away, Kafka not acknowledging) rolls the batch back; it is
 * logged and tried again on the next tick, and never stops the poller. An event the database refuses (SQLState class
 * 22 or 23, as for the listener) fails alone: the batch is routed again by halves, each in a savepoint ({@link
 * DataRefusals}), every other event is routed, and the refused one goes to {@code herald.events.v1-dlt} with the
 * database's reason and leaves the table with the batch.
 */
@Component
class SchedulePoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SchedulePoller.class);

    private final ScheduledEvents scheduled;
    private final RoutingListener routing;
    private final TransactionTemplate transactions;
    private final TransactionTemplate savepoints;
    private final KafkaTemplate<String, Object> kafka;
    private final RoutingProperties routingProperties;
    private final ScheduleProperties properties;
    private @Nullable ScheduledExecutorService executor;

    SchedulePoller(
            ScheduledEvents scheduled,
            RoutingListener routing,
            PlatformTransactionManager transactionManager,
            KafkaTemplate<String, Object> kafka,
            RoutingProperties routingProperties,
            ScheduleProperties properties) {
        this.scheduled = scheduled;
        this.routing = routing;
        this.transactions = new TransactionTemplate(transactionManager);
        this.savepoints = new TransactionTemplate(transactionManager);
        this.savepoints.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.kafka = kafka;
        this.routingProperties = routingProperties;
        this.properties = properties;
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-schedule").daemon().factory());
        long interval = properties.pollInterval().toMillis();
        executor.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Stops polling and waits for a batch being routed to end (its transaction commits or rolls back). */
    @Override
    public synchronized void stop() {
        ScheduledExecutorService running = executor;
        if (running == null) {
            return;
        }
        executor = null;
        running.shutdown();
        try {
            if (!running.awaitTermination(properties.pollInterval().toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** Routes due batches until one is not full, or the poller is stopping. Never throws: the next tick retries. */
    private void tick() {
        try {
            int routed;
            do {
                routed = routeDueBatch();
            } while (routed == properties.batchSize() && isRunning());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("routing due scheduled events failed, retried in {}: {}", properties.pollInterval(), e.toString());
        }
    }

    /** One transaction: take, route, delete, commit. Returns how many due events it routed. */
    int routeDueBatch() throws InterruptedException {
        Integer routed = transactions.execute(status -> {
            List<ScheduledEvents.Due> due = scheduled.takeDue(properties.batchSize());
            if (due.isEmpty()) {
                return 0;
            }
            Map<UUID, String> traces = new HashMap<>();
            due.forEach(d -> {
                if (d.traceparent() != null) {
                    traces.put(d.event().eventId(), d.traceparent());
                }
            });
            List<DataRefusals.Refusal> refused = DataRefusals.refusedAmong(
                    due, part -> savepoints.executeWithoutResult(s -> routeNow(part, traces)));
            for (DataRefusals.Refusal refusal : refused) {
                deadLetter(due.get(refusal.index()).event(), refusal.cause());
            }
            log.debug("routed {} due scheduled events", due.size());
            return due.size();
        });
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        return routed == null ? 0 : routed;
    }

    private void routeNow(List<ScheduledEvents.Due> due, Map<UUID, String> traces) {
        try {
            // Due: routed as an event that arrives now (so that what diverts events, such as topics, applies to it);
            // a push deferred past quiet hours is the rest of an event already routed, and is only planned and sent.
            routing.accept(
                    due.stream()
                            .filter(d -> !d.deferredPush())
                            .map(d -> d.event().withDeliverAt(null))
                            .toList(),
                    traces);
            routing.routeDeferredPushes(
                    due.stream()
                            .filter(ScheduledEvents.Due::deferredPush)
                            .map(d -> d.event().withDeliverAt(null))
                            .toList(),
                    traces);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while routing due scheduled events", e);
        }
    }

    /** The event the database refused, to {@code herald.events.v1-dlt} with the reason; waits for Kafka's ack. */
    private void deadLetter(DomainEvent event, RuntimeException refusal) {
        log.warn("scheduled event {} refused by the database, dead-lettered", event.eventId());
        var record = new ProducerRecord<String, Object>(
                Topics.EVENTS_DLT,
                null,
                event.eventId().toString(),
                event,
                DeadLetters.headers(
                        Topics.EVENTS, "token-service", UnreadableRecords.refusal("the database", refusal)));
        try {
            kafka.send(record).get(routingProperties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering a scheduled event", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("dead letter not acknowledged by Kafka", e);
        }
    }
}
