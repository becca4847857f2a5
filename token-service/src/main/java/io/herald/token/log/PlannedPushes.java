package io.herald.token.log;

import io.herald.events.DeliveryStatus.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Push deliveries' planned entries, held back for {@code herald.token.delivery-log.planned-hold} before they are
 * written. A push's status usually follows its plan within a fraction of a second; when it comes while the
 * plan is held, the log gets one row written once (the status, with the plan's provider) instead of an insert
 * and an update of it — in {@code pipeline-e2e} the updates were two fifths of the log's rows, and the log half
 * of PostgreSQL's time. Plans not settled in time are written then, and all of them when the service stops.
 *
 * <p>Only push plans are held: dispatch-service reports on every push record it takes, so a plan lost with a
 * crashed instance only means the log shows that delivery from its status on, never that it misses it. In-app
 * plans (a notification to an offline user gets no status) and skipped entries are written at once, and so is
 * every plan while {@code max-held} are held. This instance's held plans are shown by {@link #of}; another
 * instance's show once written. Thread-safe.
 */
@Component
public class PlannedPushes {

    private static final Logger log = LoggerFactory.getLogger(PlannedPushes.class);
    private static final String PUSH = "push";

    private record Key(UUID eventId, String userId, String deliveryKey) {}

    private record Held(Key key, DeliveryLog.Entry plan, long until) {}

    /**
     * A status batch with the held plans it settled.
     *
     * @param entries the statuses to write, a provider taken from the plan where the status names none
     * @param plans for each entry, the plan it settled, or null: to write in its place if the status is refused
     */
    public record Settled(List<DeliveryLog.Entry> entries, List<DeliveryLog.@Nullable Entry> plans) {}

    private final Consumer<List<DeliveryLog.Entry>> writer;
    private final long holdNanos;
    private final int maxHeld;
    private final LongSupplier nanoTime;
    private final Map<Key, Held> held = new ConcurrentHashMap<>();
    private final Queue<Held> order = new ConcurrentLinkedQueue<>();
    private final Counter settled;
    private final Counter written;
    private final Counter direct;

    @Autowired
    PlannedPushes(DeliveryLog writer, DeliveryLogProperties properties, MeterRegistry meters) {
        this(writer::write, properties, meters, System::nanoTime);
    }

    PlannedPushes(
            Consumer<List<DeliveryLog.Entry>> writer,
            DeliveryLogProperties properties,
            MeterRegistry meters,
            LongSupplier nanoTime) {
        this.writer = writer;
        this.holdNanos = properties.plannedHold().toNanos();
        this.maxHeld = properties.maxHeld();
        this.nanoTime = nanoTime;
        String name = "herald.token.delivery-log.plans";
        String description = "Push plans: settled by their status while held (one row), written when their hold ended,"
                + " or written at once (holding off or full)";
        this.settled = Counter.builder(name)
                .tag("fate", "settled")
                .description(description)
                .register(meters);
        this.written = Counter.builder(name)
                .tag("fate", "written")
                .description(description)
                .register(meters);
        this.direct = Counter.builder(name)
                .tag("fate", "direct")
                .description(description)
                .register(meters);
    }

    /** Holds the push plans among routing's entries and writes the rest now. */
    public void write(List<DeliveryLog.Entry> entries) {
        List<DeliveryLog.Entry> now = new ArrayList<>(entries.size());
        long until = nanoTime.getAsLong() + holdNanos;
        for (DeliveryLog.Entry e : entries) {
            if (!(e.outcome() == Outcome.PLANNED && PUSH.equals(e.channel()) && hold(e, until))) {
                now.add(e);
            }
        }
        writer.accept(now);
    }

    private boolean hold(DeliveryLog.Entry plan, long until) {
        if (holdNanos == 0 || held.size() >= maxHeld) {
            direct.increment();
            return false;
        }
        Held h = new Held(new Key(plan.eventId(), plan.userId(), plan.deliveryKey()), plan, until);
        // An event routed again (after a crash) plans the same deliveries: the later plan replaces the earlier.
        held.put(h.key(), h);
        order.add(h);
        return true;
    }

    /** Takes the held plans these statuses settle. */
    public Settled settle(List<DeliveryLog.Entry> statuses) {
        List<DeliveryLog.Entry> entries = new ArrayList<>(statuses.size());
        List<DeliveryLog.@Nullable Entry> plans = new ArrayList<>(statuses.size());
        for (DeliveryLog.Entry status : statuses) {
            Held h = PUSH.equals(status.channel()) && !held.isEmpty()
                    ? held.remove(new Key(status.eventId(), status.userId(), status.deliveryKey()))
                    : null;
            if (h == null) {
                entries.add(status);
                plans.add(null);
                continue;
            }
            settled.increment();
            entries.add(
                    status.provider() != null || h.plan().provider() == null
                            ? status
                            : new DeliveryLog.Entry(
                                    status.eventId(),
                                    status.userId(),
                                    status.channel(),
                                    status.deliveryKey(),
                                    h.plan().provider(),
                                    status.outcome(),
                                    status.reason(),
                                    status.at()));
            plans.add(h.plan());
        }
        return new Settled(entries, plans);
    }

    /** The plans this instance holds for an event. */
    public List<DeliveryLog.Entry> of(UUID eventId) {
        if (held.isEmpty()) {
            return List.of();
        }
        return held.values().stream()
                .filter(h -> h.key().eventId().equals(eventId))
                .map(Held::plan)
                .toList();
    }

    /** How many plans are held now. */
    public int held() {
        return held.size();
    }

    /** Writes the plans whose hold has ended; a plan that cannot be written now is held again. */
    @Scheduled(fixedDelay = 100)
    public void flush() {
        long now = nanoTime.getAsLong();
        List<DeliveryLog.Entry> due = new ArrayList<>();
        for (Held h = order.peek(); h != null && now - h.until() >= 0; h = order.peek()) {
            order.poll();
            if (held.remove(h.key(), h)) {
                due.add(h.plan());
            }
        }
        write(due, now + holdNanos);
    }

    /** Writes every held plan: the service is stopping. */
    @PreDestroy
    void flushAll() {
        List<DeliveryLog.Entry> all = new ArrayList<>();
        for (Held h = order.poll(); h != null; h = order.poll()) {
            if (held.remove(h.key(), h)) {
                all.add(h.plan());
            }
        }
        write(all, -1);
    }

    private void write(List<DeliveryLog.Entry> plans, long retryUntil) {
        if (plans.isEmpty()) {
            return;
        }
        try {
            writer.accept(plans);
            written.increment(plans.size());
        } catch (RuntimeException e) {
            if (retryUntil == -1) {
                log.warn(
                        "{} planned deliveries not logged as planned (their statuses will be): {}",
                        plans.size(),
                        e.toString());
                return;
            }
            log.warn("{} planned deliveries not logged yet, held again: {}", plans.size(), e.toString());
            for (DeliveryLog.Entry plan : plans) {
                Held h = new Held(new Key(plan.eventId(), plan.userId(), plan.deliveryKey()), plan, retryUntil);
                if (held.putIfAbsent(h.key(), h) == null) {
                    order.add(h);
                }
            }
        }
    }
}
