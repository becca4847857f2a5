package io.herald.token.routing;

import io.herald.events.DeadLetters;
import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import java.time.Duration;
import java.util.List;
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
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What {@link SchedulePoller} and {@link DigestPoller} share: work that falls due in a PostgreSQL table, taken and
 * routed by whichever instance gets to it. Every {@code pollInterval}, on a thread of its own, one transaction takes
 * up to {@code batchSize} due rows ({@link #take}: {@code FOR UPDATE SKIP LOCKED}, deleting them), routes what they
 * hold ({@link #route}: the listener's path, its rows written in this transaction, its notifications acknowledged by
 * Kafka), and commits; a full batch is followed at once by the next.
 *
 * <p>Guarantees: what is taken is routed once its transaction commits, by one instance (the others skip the rows it
 * holds). A crash or a failure after Kafka acknowledged and before the commit leaves the rows, and they are routed
 * again: the derived ids ({@link io.herald.events.Ids}) make that harmless. Anything failing (the database away,
 * Kafka not acknowledging) rolls the batch back; it is logged and tried again on the next tick, and never stops the
 * poller. An item the database refuses (SQLState class 22 or 23, as for the listener) fails alone: the batch is
 * routed again by halves, each in a savepoint ({@link DataRefusals}), every other item is routed, and the refused
 * one goes to {@code herald.events.v1-dlt} with the database's reason and leaves the table with the batch.
 *
 * @param <T> one item of a batch: what is routed, and dead-lettered alone when refused
 */
abstract class DuePoller<T> implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DuePoller.class);

    /**
     * What one transaction took.
     *
     * @param rows how many rows it took (a full batch is followed at once by the next)
     * @param items what to route, perhaps fewer than the rows
     */
    record Taken<T>(int rows, List<T> items) {}

    private final String what;
    private final Duration pollInterval;
    private final int batchSize;
    private final TransactionTemplate transactions;
    private final TransactionTemplate savepoints;
    private final KafkaTemplate<String, Object> kafka;
    private final Duration sendTimeout;
    private @Nullable ScheduledExecutorService executor;

    /**
     * @param what what an item is, for the thread's name and the logs, such as {@code scheduled event}
     */
    DuePoller(
            String what,
            Duration pollInterval,
            int batchSize,
            PlatformTransactionManager transactionManager,
            KafkaTemplate<String, Object> kafka,
            Duration sendTimeout) {
        this.what = what;
        this.pollInterval = pollInterval;
        this.batchSize = batchSize;
        this.transactions = new TransactionTemplate(transactionManager);
        this.savepoints = new TransactionTemplate(transactionManager);
        this.savepoints.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.kafka = kafka;
        this.sendTimeout = sendTimeout;
    }

    /** Takes (and deletes) up to {@code batchSize} due rows, within the batch's transaction. */
    abstract Taken<T> take(int batchSize);

    /** Routes items, within the batch's transaction (a savepoint of it). */
    abstract void route(List<T> items) throws InterruptedException;

    /** The event that goes to the dead-letter topic when the database refuses the item. */
    abstract DomainEvent eventOf(T item);

    /** Called in the transaction once a batch's items are routed, {@code refused} of them dead-lettered. */
    void routed(Taken<T> taken, int refused) {}

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("herald-" + what.replace(' ', '-'))
                .daemon()
                .factory());
        long interval = pollInterval.toMillis();
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
            if (!running.awaitTermination(pollInterval.toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
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

    /** Routes batches until one is not full, or the poller is stopping. Never throws: the next tick retries. */
    private void tick() {
        try {
            int taken;
            do {
                taken = routeBatch();
            } while (taken == batchSize && isRunning());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("routing due {}s failed, retried in {}: {}", what, pollInterval, e.toString());
        }
    }

    /** One transaction: take, route, commit. Returns how many rows it took. */
    int routeBatch() throws InterruptedException {
        Integer taken = transactions.execute(status -> {
            Taken<T> batch = take(batchSize);
            List<T> items = batch.items();
            List<DataRefusals.Refusal> refused = items.isEmpty()
                    ? List.of()
                    : DataRefusals.refusedAmong(items, part -> savepoints.executeWithoutResult(s -> routeOrFail(part)));
            for (DataRefusals.Refusal refusal : refused) {
                deadLetter(eventOf(items.get(refusal.index())), refusal.cause());
            }
            routed(batch, refused.size());
            log.debug("routed {} due {}s ({} rows)", items.size(), what, batch.rows());
            return batch.rows();
        });
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        return taken == null ? 0 : taken;
    }

    private void routeOrFail(List<T> items) {
        try {
            route(items);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while routing due " + what + "s", e);
        }
    }

    /** The event the database refused, to {@code herald.events.v1-dlt} with the reason; waits for Kafka's ack. */
    private void deadLetter(DomainEvent event, RuntimeException refusal) {
        log.warn("{} {} refused by the database, dead-lettered", what, event.eventId());
        var record = new ProducerRecord<String, Object>(
                Topics.EVENTS_DLT,
                null,
                event.eventId().toString(),
                event,
                DeadLetters.headers(
                        Topics.EVENTS, "token-service", UnreadableRecords.refusal("the database", refusal)));
        try {
            kafka.send(record).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering a " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("dead letter not acknowledged by Kafka", e);
        }
    }
}
