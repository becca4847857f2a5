package io.herald.token.routing;

import io.herald.events.DeadLetters;
import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
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
 * Routes the digests of closed windows ({@link Digests}): every {@code herald.token.digest.poll-interval}, on a thread
 * of its own, one transaction takes up to {@code batch-size} closed windows (earliest closing first, {@code FOR
 * UPDATE SKIP LOCKED}, deleting them), counts what each absorbed, routes one digest per window through the
 * listener's path ({@link RoutingListener#accept}: preferences, quiet hours and caps apply as to any event; skips and
 * history written in this transaction, notifications published and acknowledged by Kafka), and commits; a full
 * batch is followed at once by the next. It runs also with no rule configured: windows left open when their rule was
 * removed are routed when they close (one indexed query a tick when there are none).
 *
 * <p>Guarantees: a digest is routed once its transaction commits, by one instance (the others skip the windows it
 * holds); an event arriving for a window being routed waits for that transaction and then opens a new window. A crash
 * or a failure after Kafka acknowledged a digest's notifications and before the commit leaves its window, and it is
 * routed again under the same digest id: the derived ids ({@link io.herald.events.Ids}) make that harmless. Anything
 * failing rolls the batch back; it is logged and tried again on the next tick, and never stops the poller. A digest
 * the database refuses (SQLState class 22 or 23) fails alone, as for scheduled events ({@link DataRefusals}): it goes
 * to {@code herald.events.v1-dlt} with the database's reason and its window leaves the table with the batch.
 */
@Component
class DigestPoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DigestPoller.class);

    private final Digests digests;
    private final RoutingListener routing;
    private final TransactionTemplate transactions;
    private final TransactionTemplate savepoints;
    private final KafkaTemplate<String, Object> kafka;
    private final RoutingProperties routingProperties;
    private final DigestProperties.Polling properties;
    private final MeterRegistry meters;
    private @Nullable ScheduledExecutorService executor;

    DigestPoller(
            Digests digests,
            RoutingListener routing,
            PlatformTransactionManager transactionManager,
            KafkaTemplate<String, Object> kafka,
            RoutingProperties routingProperties,
            DigestProperties properties,
            MeterRegistry meters) {
        this.digests = digests;
        this.routing = routing;
        this.transactions = new TransactionTemplate(transactionManager);
        this.savepoints = new TransactionTemplate(transactionManager);
        this.savepoints.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.kafka = kafka;
        this.routingProperties = routingProperties;
        this.properties = properties.digest();
        this.meters = meters;
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-digest").daemon().factory());
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

    /** Routes closed batches until one is not full, or the poller is stopping. Never throws: the next tick retries. */
    private void tick() {
        try {
            int taken;
            do {
                taken = routeClosedBatch();
            } while (taken == properties.batchSize() && isRunning());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("routing digests failed, retried in {}: {}", properties.pollInterval(), e.toString());
        }
    }

    /** One transaction: take, count, route, commit. Returns how many closed windows it took. */
    int routeClosedBatch() throws InterruptedException {
        Integer taken = transactions.execute(status -> {
            List<Digests.Closed> closed = digests.takeClosed(properties.batchSize());
            if (closed.isEmpty()) {
                return 0;
            }
            Map<UUID, Digests.Tally> tallies = digests.tallies(
                    closed.stream().map(Digests.Closed::digestId).toList());
            List<DomainEvent> events = new ArrayList<>(closed.size());
            for (Digests.Closed window : closed) {
                Digests.Tally tally = tallies.get(window.digestId());
                // A window whose every event had been counted before (a replay) has nothing to tell.
                if (tally != null && tally.events() > 0) {
                    events.add(digests.digest(window, tally));
                }
            }
            List<DataRefusals.Refusal> refused =
                    DataRefusals.refusedAmong(events, part -> savepoints.executeWithoutResult(s -> route(part)));
            for (DataRefusals.Refusal refusal : refused) {
                deadLetter(events.get(refusal.index()), refusal.cause());
            }
            meters.counter("herald.token.digests.routed").increment(events.size() - refused.size());
            log.debug("routed {} digests of {} closed windows", events.size(), closed.size());
            return closed.size();
        });
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        return taken == null ? 0 : taken;
    }

    private void route(List<DomainEvent> events) {
        try {
            // As an event that arrives now: what diverts events (quiet hours that defer) applies to a digest too.
            routing.accept(events, Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while routing digests", e);
        }
    }

    /** The digest the database refused, to {@code herald.events.v1-dlt} with the reason; waits for Kafka's ack. */
    private void deadLetter(DomainEvent event, RuntimeException refusal) {
        log.warn("digest {} refused by the database, dead-lettered", event.eventId());
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
            throw new IllegalStateException("interrupted while dead-lettering a digest", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("dead letter not acknowledged by Kafka", e);
        }
    }
}
