package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import io.herald.token.devices.ActiveDevice;
import io.herald.token.devices.DeviceCache;
import io.herald.token.log.DeliveryLog;
import io.herald.token.log.NotificationHistory;
import io.herald.token.preferences.PreferenceStore;
import io.herald.token.preferences.Preferences;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * Routes the domain events a poll at a time: all recipients' devices (through a cache) and preferences are each one
 * lookup for the whole batch; the skips go to the delivery log in one batch, and a history row to each recipient
 * who gets no in-app notification from the event ({@link NotificationHistory}: for the others the inbox row is the
 * history); the in-app notifications and push deliveries are published together and waited for once, and the
 * offsets committed. A planned delivery writes no row here: what became of it is dispatch-service's record of sends
 * and the inbox, which the delivery log reads.
 *
 * <p>An event whose {@code deliverAt} is later than now is not routed: it is held in {@code token.scheduled_events}
 * (one statement for the poll's such events, in the poll's step) and {@link SchedulePoller} routes it through {@link
 * #routeNow} when it is due. A poll without such events costs nothing more.
 *
 * <p>Nothing marks an event as routed. An event delivered again (a crash before the offsets were committed, a
 * replay of the topic) is routed again and produces the same notification and delivery ids ({@link
 * io.herald.events.Ids}: derived from the app, the event id, the user and the device's token), so it is harmless
 * downstream: dispatch-service does not send a delivery id it has sent, the inbox stores a notification id once,
 * ws-fanout does not write one to a socket twice in a row, and the skips and history rows are written again as
 * they were ({@code on conflict}). The same holds for an app that reuses an event id for other content: its
 * recipients and devices the first event reached keep the first one's notification, the others get the second's;
 * nothing is refused. A poll holding the same event twice (equal in every field) routes it once.
 *
 * <p>A record that could not be read stops the batch at its position: the events before it are routed and
 * committed, it goes to the dead-letter topic, and the rest are read again. An event whose data the database refuses
 * (SQLState class 22 or 23: a value no column can hold, a constraint) fails alone: the poll is routed again by halves
 * ({@link DataRefusals}) until that event is found, every other event of the poll is routed, and it goes to the
 * dead-letter topic with the database's reason. The database being away is retried as a whole, as before: nothing
 * is dead-lettered for an outage.
 */
@Component
class RoutingListener {

    private static final Logger log = LoggerFactory.getLogger(RoutingListener.class);

    private final DeviceCache devices;
    private final PreferenceStore preferences;
    private final DeliveryLog skips;
    private final NotificationHistory history;
    private final KafkaTemplate<String, Object> kafka;
    private final RoutingProperties properties;
    private final Router router;
    private final FrequencyCaps caps;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ScheduledEvents scheduled;
    private final TopicFanout topics;

    RoutingListener(
            DeviceCache devices,
            PreferenceStore preferences,
            DeliveryLog skips,
            NotificationHistory history,
            KafkaTemplate<String, Object> kafka,
            RoutingProperties properties,
            TemplateProperties templates,
            FrequencyCaps caps,
            Clock clock,
            MeterRegistry meters,
            ScheduledEvents scheduled,
            TopicFanout topics) {
        this.meters = meters;
        this.devices = devices;
        this.preferences = preferences;
        this.skips = skips;
        this.history = history;
        this.kafka = kafka;
        this.properties = properties;
        this.router = new Router(new Templates(templates.asTemplates()));
        this.caps = caps;
        this.clock = clock;
        this.scheduled = scheduled;
        this.topics = topics;
    }

    @KafkaListener(
            id = "router",
            groupId = "herald-token-router",
            topics = Topics.EVENTS,
            containerFactory = "routingContainerFactory",
            concurrency = "${herald.token.routing.consumers:1}",
            // A poll pays its statements and a wait for Kafka's acknowledgements: fetches wait up to 10 ms for 16 KB
            // of events, so that a poll takes tens of them at moderate rates rather than one or two (pipeline-e2e).
            properties = {"fetch.min.bytes=16384", "fetch.max.wait.ms=10"})
    void onEvents(List<ConsumerRecord<String, DomainEvent>> records) throws InterruptedException {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).value() == null) {
                routeEachAlone(records.subList(0, i));
                throw UnreadableRecords.failure(records.get(i), i, "an event");
            }
        }
        routeEachAlone(records);
    }

    /**
     * Routes the batch; an event the database refuses on its own stops the batch at its position, after every other
     * event of the batch was routed (those after it are read again and skipped as routed).
     */
    private void routeEachAlone(List<ConsumerRecord<String, DomainEvent>> batch) throws InterruptedException {
        List<DataRefusals.Refusal> refused = DataRefusals.refusedAmong(batch, this::route);
        if (!refused.isEmpty()) {
            DataRefusals.Refusal first = refused.getFirst();
            ConsumerRecord<String, DomainEvent> record = batch.get(first.index());
            log.warn(
                    "event {} at {}-{}@{} refused by the database, dead-lettered; {} of the poll's {} events refused",
                    record.value().eventId(),
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    refused.size(),
                    batch.size());
            throw UnreadableRecords.refused(record, "event", "the database", first.cause());
        }
    }

    private void route(List<ConsumerRecord<String, DomainEvent>> records) throws InterruptedException {
        if (records.isEmpty()) {
            return;
        }
        List<DomainEvent> batch = new ArrayList<>(records.size());
        Map<UUID, String> traces = new HashMap<>();
        for (ConsumerRecord<String, DomainEvent> record : records) {
            batch.add(record.value());
            String traceparent = TraceContext.traceparent(record.headers());
            if (traceparent != null) {
                traces.put(record.value().eventId(), traceparent);
            }
        }
        accept(onceEach(batch), traces);
    }

    /**
     * The path of every event that arrives, whatever brought it (a poll of {@code herald.events.v1}, a due scheduled
     * event): events for later are held, the others routed now. Features that treat an event otherwise than routing
     * it at once (a local delivery time, a digest, topics) divert it here, so that each applies to every way in.
     *
     * @param traces the traceparent each event arrived with, by event id
     */
    void accept(List<DomainEvent> fresh, Map<UUID, String> traces) throws InterruptedException {
        // Events for later are held in token.scheduled_events (SchedulePoller routes them when due): one statement
        // for the poll, and none for a poll without any.
        Instant now = clock.instant();
        List<DomainEvent> due = fresh;
        List<DomainEvent> later = List.of();
        if (fresh.stream().anyMatch(e -> isLater(e, now))) {
            due = new ArrayList<>(fresh.size());
            later = new ArrayList<>();
            for (DomainEvent event : fresh) {
                (isLater(event, now) ? later : due).add(event);
            }
            scheduled.hold(later, traces);
        }
        // Events naming topics: their subscribers are reached in chunks through herald.topic-fanout.v1 (each chunk
        // comes back here as an event for its subscribers); their listed recipients are routed now, as any event's.
        due = topics.divert(due, traces);
        routeNow(due, traces);
        log.debug("routed {} events, held {} for later", due.size(), later.size());
    }

    /** Whether the event asks to be delivered later than {@code now}: a past or present deliverAt is routed now. */
    private static boolean isLater(DomainEvent event, Instant now) {
        Instant deliverAt = event.deliverAt();
        return deliverAt != null && deliverAt.isAfter(now);
    }

    /**
     * Routes events now, whatever their {@code deliverAt}: plans their notifications, writes the skips and history
     * rows, publishes the notifications and waits for Kafka's acknowledgements. The listener's path for a poll, and
     * {@link SchedulePoller}'s for due events (then within its transaction, so the rows are written with it).
     *
     * @param traces the traceparent each event arrived with, by event id
     */
    @SuppressWarnings("try") // the log fields are a scope: closing them is all the try does
    void routeNow(List<DomainEvent> fresh, Map<UUID, String> traces) throws InterruptedException {
        if (fresh.isEmpty()) {
            return;
        }
        List<CompletableFuture<SendResult<String, Object>>> sends = new ArrayList<>();
        Set<String> recipients = new LinkedHashSet<>();
        fresh.forEach(e -> recipients.addAll(Router.recipients(e)));
        Map<String, List<ActiveDevice>> devicesByUser = devices.activeDevicesOf(recipients);
        Map<String, Preferences> preferencesByUser = preferences.ofAll(recipients);
        Instant now = clock.instant();
        List<DeliveryLog.Entry> entries = new ArrayList<>();
        List<NotificationHistory.Entry> sent = new ArrayList<>();
        int inApp = 0;
        int pushes = 0;
        // Events of a capped type are planned and counted here, a batch for the poll; the others as before, below.
        FrequencyCaps.Poll capped = caps.apply(fresh, e -> router.plan(e, devicesByUser, preferencesByUser, now), now);
        for (DomainEvent event : fresh) {
            // The event's trace goes on with every notification planned for it, and into the logs of its routing.
            String traceparent = traces.get(event.eventId());
            try (var fields = TraceContext.logFields(event.eventId(), traceparent)) {
                Router.Plan plan = capped.plan(event);
                entries.addAll(plan.log());
                sent.addAll(NotificationHistory.of(event, Router.recipients(event), plan.inApp(), plan.pushes(), now));
                plan.inApp().forEach(n -> sends.add(send(Topics.INAPP, n.userId(), n, traceparent)));
                plan.pushes().forEach(p -> sends.add(send(Topics.PUSH, p.userId(), p, traceparent)));
                inApp += plan.inApp().size();
                pushes += plan.pushes().size();
                log.debug(
                        "event {} ({}): {} in-app, {} push planned",
                        event.eventId(),
                        event.type(),
                        plan.inApp().size(),
                        plan.pushes().size());
            }
        }
        skips.write(entries);
        history.write(sent);
        waitFor(sends);
        meters.counter("herald.token.events.routed").increment(fresh.size());
        meters.counter("herald.token.notifications", "channel", "inapp").increment(inApp);
        meters.counter("herald.token.notifications", "channel", "push").increment(pushes);
        log.debug("routed {} events: {} in-app, {} push", fresh.size(), inApp, pushes);
    }

    private void waitFor(List<CompletableFuture<SendResult<String, Object>>> sends) throws InterruptedException {
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Kafka's trouble, not the events': the poll is retried.
            throw new KafkaException("records not acknowledged by Kafka", e);
        }
    }

    /**
     * The events of a poll, each once (the same event twice: a producer's retry), in poll order. Only an equal event
     * is dropped: one reusing an id for other content is routed, as it would be in a later poll.
     */
    static List<DomainEvent> onceEach(List<DomainEvent> batch) {
        return batch.size() < 2 ? batch : List.copyOf(new LinkedHashSet<>(batch));
    }

    private CompletableFuture<SendResult<String, Object>> send(
            String topic, String key, Object value, @Nullable String traceparent) {
        var record = new ProducerRecord<String, Object>(topic, key, value);
        TraceContext.propagate(traceparent, record.headers());
        return kafka.send(record);
    }
}
