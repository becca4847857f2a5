package io.herald.dispatch.delivery;

import io.herald.events.DeadLetters;
import io.herald.events.DeliveryStatus.Outcome;
import io.herald.events.JsonDeserializer;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.RejectedRecordException;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.KafkaException;
import org.springframework.stereotype.Component;

/**
 * Sends a poll's worth of push deliveries at once. The listener thread reads the records, asks the delivery log
 * in one query which were sent before (those are skipped: Kafka redelivers after a rebalance or restart), takes
 * a token from each provider's rate limit and starts every send; the sends run concurrently. Once all have an
 * outcome (or timed out), the outcomes are stored in one batch, then every status, token feedback, retry and
 * dead letter is published and acknowledged by Kafka, and only then does the call return, so the records'
 * offsets are committed after their outcomes are safe. If storing or publishing fails after a send, the batch is
 * read again; the outcomes this instance already had are reused rather than sent again.
 *
 * <p>Accepted: stored as sent, status {@code sent}. Rejected with a dead token: status {@code rejected} and token
 * feedback, never retried. Rejected otherwise (an invalid payload), unreadable, or for a provider not available:
 * the dead-letter topic at once. Failed (5xx, timeout, quota): status {@code failed} and the next retry topic,
 * or the dead-letter topic after the last attempt.
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
    private final MeterRegistry meters;

    /**
     * Final outcomes (accepted, or rejected for a dead token) of this instance's sends whose batch is not done
     * yet: when storing or publishing the outcomes fails and the batch is read again, these deliveries are not
     * sent a second time, and their statuses are published again. Emptied as batches complete; capped.
     */
    private final Map<UUID, SendOutcome> unfinished =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, SendOutcome> eldest) {
                    return size() > 100_000;
                }
            });

    Dispatcher(
            List<PushProvider> providers,
            DeliveryLog deliveries,
            StatusPublisher statuses,
            Retries retries,
            DispatchProperties properties,
            ProviderRateLimits rateLimits,
            MeterRegistry meters) {
        providers.forEach(p -> this.providers.put(p.provider(), p));
        this.deliveries = deliveries;
        this.statuses = statuses;
        this.retries = retries;
        this.properties = properties;
        this.rateLimits = rateLimits;
        this.meters = meters;
    }

    /** One delivery of the batch, with what became of it. */
    private static final class Item {
        final ConsumerRecord<String, byte[]> record;
        final PushDelivery delivery;
        final int attempt;

        @Nullable
        CompletableFuture<SendOutcome> outcome;

        @Nullable
        UndeliverableException undeliverable;

        /** The outcome of this instance's own earlier send of it, when a retried batch brings it again. */
        @Nullable
        SendOutcome earlier;

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
     */
    public void dispatch(List<ConsumerRecord<String, byte[]>> records) throws InterruptedException {
        List<CompletableFuture<?>> published = new ArrayList<>();
        Map<UUID, Item> items = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            PushDelivery delivery;
            try {
                delivery = read(record);
            } catch (RejectedRecordException e) {
                log.warn(
                        "unreadable delivery at {}-{}@{} dead-lettered: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e.getMessage());
                published.add(retries.deadLetter(record, DeadLetters.headers(Topics.PUSH, Retries.SERVICE, e)));
                continue;
            }
            // The same delivery twice in one poll (a replay next to a redelivery) is sent once.
            items.putIfAbsent(delivery.deliveryId(), new Item(record, delivery));
        }
        for (Item item : items.values()) {
            item.earlier = unfinished.get(item.delivery.deliveryId());
        }
        Set<UUID> sentBefore = deliveries.alreadySent(items.keySet());
        int skipped = 0;
        for (UUID id : sentBefore) {
            if (items.get(id).earlier == null) {
                // Sent and finished before (by this instance or another): its statuses are out.
                log.debug("delivery {} was sent before; skipped", id);
                items.remove(id);
                skipped++;
            }
        }
        if (skipped > 0) {
            meters.counter("herald.dispatch.redeliveries.skipped").increment(skipped);
        }

        for (Item item : items.values()) {
            if (item.earlier != null) {
                // Sent by this instance in a batch that failed after the send: never twice.
                item.outcome = CompletableFuture.completedFuture(item.earlier);
            } else {
                start(item);
            }
        }
        // Every send of the poll is started: a provider holding some back to batch them need not wait longer.
        providers.values().forEach(PushProvider::flush);
        List<DeliveryLog.Entry> entries = new ArrayList<>(items.size());
        Map<Item, SendOutcome> outcomes = new LinkedHashMap<>();
        for (Item item : items.values()) {
            if (item.undeliverable != null) {
                published.add(retries.deadLetter(
                        item.record,
                        DeadLetters.headers(
                                Topics.PUSH,
                                Retries.SERVICE,
                                item.undeliverable.code(),
                                String.valueOf(item.undeliverable.getMessage()))));
                continue;
            }
            SendOutcome outcome = java.util.Objects.requireNonNull(item.outcome).join();
            outcomes.put(item, outcome);
            if (outcome instanceof SendOutcome.Accepted
                    || (outcome instanceof SendOutcome.Rejected rejected && rejected.tokenDead())) {
                unfinished.put(item.delivery.deliveryId(), outcome);
            }
            entries.add(
                    switch (outcome) {
                        case SendOutcome.Accepted accepted ->
                            new DeliveryLog.Entry(item.delivery, DeliveryLog.SENT, accepted.providerMessageId(), null);
                        case SendOutcome.Rejected rejected ->
                            new DeliveryLog.Entry(item.delivery, "rejected", null, rejected.code());
                        case SendOutcome.Failed failed ->
                            new DeliveryLog.Entry(item.delivery, "failed", null, failed.code());
                    });
        }
        // Stored before anything is published: a redelivery after a crash must not send again.
        deliveries.record(entries);
        outcomes.forEach((item, outcome) -> published.addAll(publish(item, outcome)));
        awaitPublished(published);
        items.keySet().forEach(unfinished::remove);
    }

    private PushDelivery read(ConsumerRecord<String, byte[]> record) {
        PushDelivery delivery = reader.deserialize(record.topic(), record.value());
        if (delivery == null) {
            throw new RejectedRecordException("empty-record", "the record has no value");
        }
        List<String> missing = new ArrayList<>();
        if (delivery.deliveryId() == null) {
            missing.add("deliveryId");
        }
        if (delivery.eventId() == null) {
            missing.add("eventId");
        }
        if (delivery.userId() == null) {
            missing.add("userId");
        }
        if (delivery.provider() == null) {
            missing.add("provider");
        }
        if (delivery.token() == null || delivery.token().isBlank()) {
            missing.add("token");
        }
        if (!missing.isEmpty()) {
            throw new RejectedRecordException("invalid-delivery", "a PushDelivery needs " + String.join(", ", missing));
        }
        return delivery;
    }

    private void start(Item item) throws InterruptedException {
        PushProvider provider = providers.get(item.delivery.provider());
        if (provider == null) {
            item.undeliverable = new UndeliverableException(
                    "provider-not-implemented", "no " + item.delivery.provider() + " client in this version of Herald");
            return;
        }
        rateLimits.acquire(item.delivery.provider());
        String providerName = providerName(item.delivery);
        long started = System.nanoTime();
        CompletableFuture<SendOutcome> sent;
        try {
            sent = provider.send(item.delivery);
        } catch (UndeliverableException e) {
            item.undeliverable = e;
            return;
        }
        long timeout = properties.sendTimeout().toMillis();
        item.outcome = sent.orTimeout(timeout, TimeUnit.MILLISECONDS)
                .exceptionally(e -> new SendOutcome.Failed("TIMEOUT", "no outcome within " + timeout + " ms", null))
                .whenComplete((outcome, e) -> meters.timer("herald.dispatch.provider.latency", "provider", providerName)
                        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
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
        return switch (outcome) {
            case SendOutcome.Accepted accepted -> List.of(statuses.status(delivery, Outcome.SENT, null, trace));
            case SendOutcome.Rejected rejected -> {
                var status =
                        statuses.status(delivery, Outcome.REJECTED, rejected.code() + ": " + rejected.reason(), trace);
                if (rejected.tokenDead()) {
                    log.debug("delivery {}: token dead ({})", delivery.deliveryId(), rejected.code());
                    yield List.of(status, statuses.deadToken(delivery, rejected.code(), trace));
                }
                yield List.of(
                        status,
                        retries.deadLetter(
                                item.record,
                                DeadLetters.headers(
                                        Topics.PUSH,
                                        Retries.SERVICE,
                                        rejected.code().toLowerCase(Locale.ROOT).replace('_', '-'),
                                        rejected.reason())));
            }
            case SendOutcome.Failed failed -> {
                meters.counter("herald.dispatch.retries", "provider", providerName(delivery), "code", failed.code())
                        .increment();
                yield List.of(
                        statuses.status(delivery, Outcome.FAILED, failed.code() + ": " + failed.reason(), trace),
                        retries.retryOrDeadLetter(item.record, item.attempt, failed));
            }
        };
    }

    private static void awaitPublished(List<CompletableFuture<?>> published) throws InterruptedException {
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
