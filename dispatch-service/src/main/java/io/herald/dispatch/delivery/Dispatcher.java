package io.herald.dispatch.delivery;

import io.herald.dispatch.delivery.EarlierOutcomes.Earlier;
import io.herald.events.DeadLetters;
import io.herald.events.DeliveryStatus.Outcome;
import io.herald.events.JsonDeserializer;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.RejectedRecordException;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.KafkaException;
import org.springframework.stereotype.Component;

/**
 * Sends a poll's worth of push deliveries at once. The listener thread reads and checks the records (one that
 * breaks a rule of {@link DeliveryChecks} is dead-lettered at once), asks the delivery log in one query which
 * were sent before (those are skipped: Kafka redelivers after a rebalance or restart), resolves the {@code unread}
 * badges of the rest at once ({@link UnreadBadges}, bounded by a short timeout), takes a token from each
 * provider's rate limit and starts every send; the sends run concurrently. Meanwhile a recorder stores the
 * outcomes <em>as the sends complete</em> — whatever completed while it stored the last group is the next
 * group, one JDBC batch each — and publishes each group's statuses, token feedback, retries and dead letters
 * right after storing them. The call returns once every outcome is stored and acknowledged by Kafka, so the
 * records' offsets are committed after their outcomes are safe.
 *
 * <p>Why as they complete: a send the provider took but the log has not recorded is sent again by whoever
 * reads the record next, should this instance die. Stored at the end of the poll, that was every send of the
 * poll until its slowest had answered (up to {@code send-timeout}); stored as they complete, it is the sends of
 * about one group write (milliseconds). A repeat that still happens replaces the first on the phone (see
 * {@link ReplaceKey}).
 *
 * <p>Statuses ({@code herald.delivery-status.v1}) are published only with {@code herald.delivery-status.publish}
 * on ({@link StatusPublisher}); off (the default), the stored row is the outcome's only record, and a poll of sends
 * that all succeed publishes nothing and waits for no acknowledgement.
 *
 * <p>Accepted: stored as sent, status {@code sent}. Rejected with a dead token: status {@code rejected} and
 * token feedback, never retried. Rejected otherwise (an invalid payload), unreadable, invalid, for a provider
 * not available, or thrown on by its provider client for a reason that will not pass ({@link SendFailures}):
 * the dead-letter topic at once. Failed (5xx, timeout, quota, I/O): status {@code failed} and the next retry
 * topic, or the dead-letter topic after the last attempt. A row PostgreSQL refuses for its data is not stored
 * (and logged); its statuses are published all the same, and the poll goes on.
 *
 * <p>If storing or publishing fails (the database or Kafka away), the call waits for the sends still running,
 * then throws, and the batch is read again; the final outcomes this instance already had are reused rather than
 * sent again.
 */
@Component
public class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final JsonDeserializer<PushDelivery> reader = new JsonDeserializer<>(PushDelivery.class);
    private final Map<Provider, PushProvider> providers = new EnumMap<>(Provider.class);
    private final DeliveryLog deliveries;
    private final StatusPublisher statuses;
    private final Retries retries;
    private final DispatchProperties properties;
    private final ProviderRateLimits rateLimits;
    private final UnreadBadges unreadBadges;
    private final MeterRegistry meters;
    private final Clock clock;

    /** This instance's final outcomes of the batches not done yet, for when a batch is read again. */
    private final EarlierOutcomes unfinished = new EarlierOutcomes();

    Dispatcher(
            List<PushProvider> providers,
            DeliveryLog deliveries,
            StatusPublisher statuses,
            Retries retries,
            DispatchProperties properties,
            ProviderRateLimits rateLimits,
            UnreadBadges unreadBadges,
            MeterRegistry meters,
            Clock clock) {
        providers.forEach(p -> this.providers.put(p.provider(), p));
        this.deliveries = deliveries;
        this.statuses = statuses;
        this.retries = retries;
        this.properties = properties;
        this.rateLimits = rateLimits;
        this.unreadBadges = unreadBadges;
        this.meters = meters;
        this.clock = clock;
    }

    /** One delivery of the batch, with what became of it. */
    private static final class Item {
        final ConsumerRecord<String, byte[]> record;
        /** As read; then with its unread badge resolved ({@link UnreadBadges}), before it is sent. */
        PushDelivery delivery;

        final int attempt;

        /** The send's outcome, once started. */
        @Nullable
        CompletableFuture<SendOutcome> outcome;

        /** This instance's own earlier outcome, when a batch read again brings it again. */
        @Nullable
        Earlier earlier;

        Item(ConsumerRecord<String, byte[]> record, PushDelivery delivery) {
            this.record = record;
            this.delivery = delivery;
            this.attempt = Retries.attemptsMade(record) + 1;
        }
    }

    /**
     * Sends the deliveries of {@code records} (from {@code herald.push.v1} or a retry topic) and returns once
     * every outcome is stored and published.
     *
     * @throws KafkaException when an outcome could not be published; the caller must not commit the offsets
     * @throws org.springframework.dao.DataAccessException when outcomes could not be stored (the database away);
     *     the caller must not commit the offsets
     */
    public void dispatch(List<ConsumerRecord<String, byte[]>> records) throws InterruptedException {
        List<CompletableFuture<?>> published = new ArrayList<>();
        Map<UUID, Item> items = new LinkedHashMap<>();
        Instant now = clock.instant();
        Instant firstPossibleSend = now;
        for (ConsumerRecord<String, byte[]> record : records) {
            PushDelivery delivery;
            try {
                delivery = read(record);
            } catch (RejectedRecordException e) {
                log.warn(
                        "unreadable or invalid delivery at {}-{}@{} dead-lettered: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e.getMessage());
                published.add(retries.deadLetter(record, DeadLetters.headers(Topics.PUSH, Retries.SERVICE, e)));
                continue;
            }
            // The same delivery twice in one poll (a replay next to a redelivery) is sent once.
            items.putIfAbsent(delivery.deliveryId(), new Item(record, delivery));
            firstPossibleSend = earliest(firstPossibleSend, record.timestamp(), delivery.occurredAt());
        }
        for (Item item : items.values()) {
            item.earlier = unfinished.get(item.delivery.deliveryId());
        }
        Set<UUID> sentBefore = deliveries.alreadySent(items.keySet(), firstPossibleSend);
        int skipped = 0;
        for (UUID id : sentBefore) {
            if (Objects.requireNonNull(items.get(id)).earlier == null) {
                // Sent and finished before (by this instance or another): its statuses are out.
                log.debug("delivery {} was sent before; skipped", id);
                items.remove(id);
                skipped++;
            }
        }
        if (skipped > 0) {
            meters.counter("herald.dispatch.redeliveries.skipped").increment(skipped);
        }

        resolveUnreadBadges(items.values());

        Recorder recorder = new Recorder();
        Thread recording = Thread.ofVirtual().name("dispatch-recorder").start(recorder);
        RuntimeException startFailure = null;
        try {
            for (Item item : items.values()) {
                Earlier earlier = item.earlier;
                if (earlier != null) {
                    // Sent by this instance in a batch that failed after the send: never twice.
                    item.outcome = CompletableFuture.completedFuture(earlier.outcome());
                    recorder.add(item);
                } else {
                    start(item, recorder, published);
                }
            }
        } catch (RuntimeException e) {
            // Kafka refusing a dead letter at once, say: the sends already started are still recorded first.
            startFailure = e;
        } finally {
            recorder.close();
            // Every send of the poll is started: a provider holding some back to batch them need not wait longer.
            providers.values().forEach(PushProvider::flush);
        }
        recording.join();
        published.addAll(recorder.published);
        if (startFailure != null) {
            throw startFailure;
        }
        if (recorder.failure != null) {
            throw recorder.failure;
        }
        awaitPublished(published);
        unfinished.forget(items.keySet());
    }

    /**
     * Resolves the {@code unread} badges of the deliveries about to be sent, all at once: bounded by {@code
     * herald.dispatch.unread-badge.timeout}, a push whose count did not come goes without a badge.
     */
    private void resolveUnreadBadges(Collection<Item> all) {
        List<Item> toSend = new ArrayList<>(all.size());
        for (Item item : all) {
            if (item.earlier == null) {
                toSend.add(item);
            }
        }
        List<PushDelivery> resolved =
                unreadBadges.resolve(toSend.stream().map(i -> i.delivery).toList());
        for (int i = 0; i < toSend.size(); i++) {
            toSend.get(i).delivery = resolved.get(i);
        }
    }

    /**
     * Stores and publishes outcomes as sends complete, on a thread of its own (the listener thread may still be
     * starting sends): it takes whatever has completed, stores it in one batch, publishes it, and takes again,
     * until every send it was given has an outcome.
     */
    private final class Recorder implements Runnable {

        /** Completed items, and a {@link Closed} marker saying how many there are in all. */
        private final BlockingQueue<Object> completed = new LinkedBlockingQueue<>();

        private int given;
        final List<CompletableFuture<?>> published = new ArrayList<>();

        @Nullable
        RuntimeException failure;

        /** Records {@code item} once its send completes. Listener thread. */
        void add(Item item) {
            given++;
            Objects.requireNonNull(item.outcome).whenComplete((outcome, e) -> completed.add(item));
        }

        /** No more items: the recorder ends once those given are done. Listener thread. */
        void close() {
            completed.add(new Closed(given));
        }

        private record Closed(int given) {}

        @Override
        public void run() {
            int expected = -1;
            int done = 0;
            List<Object> taken = new ArrayList<>();
            List<Item> group = new ArrayList<>();
            try {
                while (expected < 0 || done < expected) {
                    taken.add(completed.take());
                    completed.drainTo(taken);
                    for (Object next : taken) {
                        if (next instanceof Closed closed) {
                            expected = closed.given();
                        } else {
                            group.add((Item) next);
                        }
                    }
                    taken.clear();
                    done += group.size();
                    if (!group.isEmpty()) {
                        try {
                            store(group);
                        } catch (RuntimeException e) {
                            // Kafka refusing a send at once, say. The sends still running are waited for, so
                            // that their outcomes are kept for the batch read again.
                            if (failure == null) {
                                failure = e;
                            }
                        }
                        group.clear();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException("interrupted while recording outcomes", e);
            }
        }

        /** Stores a group of completed sends, then publishes what became of them. */
        private void store(List<Item> group) {
            List<DeliveryLog.Entry> entries = new ArrayList<>(group.size());
            List<SendOutcome> outcomes = new ArrayList<>(group.size());
            for (Item item : group) {
                SendOutcome outcome = Objects.requireNonNull(item.outcome).join();
                outcomes.add(outcome);
                boolean recorded = item.earlier != null && item.earlier.recorded();
                if (outcome instanceof SendOutcome.Accepted
                        || (outcome instanceof SendOutcome.Rejected rejected && rejected.tokenDead())) {
                    unfinished.keep(item.delivery.deliveryId(), outcome, recorded);
                }
                if (!recorded) {
                    entries.add(entry(item, outcome));
                }
            }
            if (failure != null) {
                // Storing failed earlier in this batch: the outcomes are kept for the batch read again.
                return;
            }
            Map<UUID, String> refused;
            try {
                refused = deliveries.record(entries);
            } catch (RuntimeException e) {
                log.warn(
                        "outcomes of {} deliveries not stored; the batch will be read again: {}",
                        entries.size(),
                        e.toString());
                failure = e;
                return;
            }
            for (int i = 0; i < group.size(); i++) {
                Item item = group.get(i);
                UUID id = item.delivery.deliveryId();
                unfinished.recorded(id);
                String reason = refused.get(id);
                if (reason != null) {
                    // Sent (or not) all the same: say so; only a redelivery of it would no longer be recognised.
                    log.warn(
                            "delivery {} (event {}): its outcome was refused by the delivery log ({}); not recorded",
                            id,
                            item.delivery.eventId(),
                            reason);
                    meters.counter("herald.dispatch.unrecorded").increment();
                }
                published.addAll(publish(item, outcomes.get(i)));
            }
        }
    }

    private static DeliveryLog.Entry entry(Item item, SendOutcome outcome) {
        return switch (outcome) {
            case SendOutcome.Accepted accepted ->
                new DeliveryLog.Entry(
                        item.delivery, DeliveryLog.SENT, accepted.providerMessageId(), null, item.attempt);
            case SendOutcome.Rejected rejected ->
                new DeliveryLog.Entry(item.delivery, "rejected", null, rejected.code(), item.attempt);
            case SendOutcome.Failed failed ->
                new DeliveryLog.Entry(item.delivery, "failed", null, failed.code(), item.attempt);
        };
    }

    /** The earliest of {@code earliest}, a record's timestamp and an event's time, where they are known. */
    private static Instant earliest(Instant earliest, long recordTimestamp, @Nullable Instant occurredAt) {
        Instant result = earliest;
        if (recordTimestamp >= 0 && Instant.ofEpochMilli(recordTimestamp).isBefore(result)) {
            result = Instant.ofEpochMilli(recordTimestamp);
        }
        if (occurredAt != null && occurredAt.isBefore(result)) {
            result = occurredAt;
        }
        return result;
    }

    private PushDelivery read(ConsumerRecord<String, byte[]> record) {
        PushDelivery delivery = reader.deserialize(record.topic(), record.value());
        if (delivery == null) {
            throw new RejectedRecordException("empty-record", "the record has no value");
        }
        DeliveryChecks.check(delivery);
        return delivery;
    }

    private void start(Item item, Recorder recorder, List<CompletableFuture<?>> published) throws InterruptedException {
        PushProvider provider = providers.get(item.delivery.provider());
        if (provider == null) {
            published.add(deadLetter(
                    item,
                    "provider-not-implemented",
                    "no " + item.delivery.provider() + " client in this version of Herald"));
            return;
        }
        rateLimits.acquire(item.delivery.provider());
        String providerName = providerName(item.delivery);
        long started = System.nanoTime();
        CompletableFuture<SendOutcome> sent;
        try {
            sent = provider.send(item.delivery);
        } catch (UndeliverableException e) {
            published.add(deadLetter(item, e.code(), String.valueOf(e.getMessage())));
            return;
        } catch (RuntimeException e) {
            if (SendFailures.transientFailure(e)) {
                sent = CompletableFuture.completedFuture(
                        new SendOutcome.Failed("CLIENT", SendFailures.reason(e), null));
            } else {
                // Its client cannot take it as it is: sending it again would throw again, for ever.
                log.warn(
                        "delivery {} at {}-{}@{}: the {} client threw on it; dead-lettered: {}",
                        item.delivery.deliveryId(),
                        item.record.topic(),
                        item.record.partition(),
                        item.record.offset(),
                        providerName,
                        SendFailures.reason(e));
                published.add(deadLetter(item, SendFailures.UNSENDABLE, SendFailures.reason(e)));
                return;
            }
        }
        var timeout = properties.sendTimeout();
        item.outcome = sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                // The provider's contract is an outcome for everything; anything else is classified here.
                .exceptionally(e -> SendFailures.outcome(e, timeout))
                .whenComplete((outcome, e) -> meters.timer("herald.dispatch.provider.latency", "provider", providerName)
                        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        recorder.add(item);
    }

    private CompletableFuture<?> deadLetter(Item item, String code, String reason) {
        return retries.deadLetter(item.record, DeadLetters.headers(Topics.PUSH, Retries.SERVICE, code, reason));
    }

    private List<CompletableFuture<?>> publish(Item item, SendOutcome outcome) {
        PushDelivery delivery = item.delivery;
        String trace = TraceContext.traceparent(item.record.headers());
        String result = switch (outcome) {
            case SendOutcome.Accepted a -> "sent";
            case SendOutcome.Rejected r -> "rejected";
            case SendOutcome.Failed f -> "failed";
        };
        meters.counter("herald.dispatch.deliveries", "provider", providerName(delivery), "outcome", result)
                .increment();
        // A status only when statuses are published: otherwise nothing is sent, and nothing waited for.
        List<CompletableFuture<?>> sends = new ArrayList<>(2);
        switch (outcome) {
            case SendOutcome.Accepted accepted ->
                statuses.status(delivery, Outcome.SENT, null, trace).ifPresent(sends::add);
            case SendOutcome.Rejected rejected -> {
                statuses.status(delivery, Outcome.REJECTED, rejected.code() + ": " + rejected.reason(), trace)
                        .ifPresent(sends::add);
                if (rejected.tokenDead()) {
                    log.debug("delivery {}: token dead ({})", delivery.deliveryId(), rejected.code());
                    sends.add(statuses.deadToken(delivery, rejected.code(), trace));
                } else {
                    sends.add(retries.deadLetter(
                            item.record,
                            DeadLetters.headers(
                                    Topics.PUSH,
                                    Retries.SERVICE,
                                    rejected.code().toLowerCase(Locale.ROOT).replace('_', '-'),
                                    rejected.reason())));
                }
            }
            case SendOutcome.Failed failed -> {
                meters.counter("herald.dispatch.retries", "provider", providerName(delivery), "code", failed.code())
                        .increment();
                statuses.status(delivery, Outcome.FAILED, failed.code() + ": " + failed.reason(), trace)
                        .ifPresent(sends::add);
                sends.add(retries.retryOrDeadLetter(item.record, item.attempt, failed));
            }
        }
        return sends;
    }

    private static void awaitPublished(List<CompletableFuture<?>> published) throws InterruptedException {
        if (published.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException e) {
            throw new KafkaException("an outcome could not be published; the batch will be read again", e.getCause());
        }
    }

    private static String providerName(PushDelivery delivery) {
        return delivery.provider().name().toLowerCase(Locale.ROOT);
    }
}
