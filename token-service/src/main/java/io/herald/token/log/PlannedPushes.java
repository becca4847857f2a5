package io.herald.token.log;

import io.herald.events.DeliveryStatus.Outcome;
import io.herald.spring.kafka.DataRefusals;
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
import java.util.function.Predicate;
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

    /** The counter of how plans ended, tagged {@code fate}: {@code settled}, {@code written} or {@code direct}. */
    public static final String METER = "herald.token.delivery-log.plans";

    private static final Logger log = LoggerFactory.getLogger(PlannedPushes.class);
    private static final String PUSH = "push";

    /** A push entry's row: the channel is always push. */
    private record Key(UUID eventId, String userId, String deliveryKey) {
        static Key of(DeliveryLog.Entry e) {
            return new Key(e.eventId(), e.userId(), e.deliveryKey());
        }
    }

    private record Held(Key key, DeliveryLog.Entry plan, long until) {
        Held(DeliveryLog.Entry plan, long until) {
            this(Key.of(plan), plan, until);
        }
    }

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
        this.settled = counter(meters, "settled");
        this.written = counter(meters, "written");
        this.direct = counter(meters, "direct");
    }

    private static Counter counter(MeterRegistry meters, String fate) {
        return Counter.builder(METER)
                .tag("fate", fate)
                .description("Push plans: settled by their status while held (one row), written when their hold"
                        + " ended, or written at once (holding off or full)")
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
        Held h = new Held(plan, until);
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
            Held h = PUSH.equals(status.channel()) && !held.isEmpty() ? held.remove(Key.of(status)) : null;
            if (h == null) {
                entries.add(status);
                plans.add(null);
                continue;
            }
            settled.increment();
            // The status wins even if its clock is behind the plan's: it is what became of the delivery.
            entries.add(status.withProviderOf(h.plan()));
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

    /** The plans this instance holds for a user's deliveries. */
    public List<DeliveryLog.Entry> ofUser(String userId) {
        if (held.isEmpty()) {
            return List.of();
        }
        return held.values().stream()
                .filter(h -> h.key().userId().equals(userId))
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
        List<DeliveryLog.Entry> due = take(h -> now - h.until() >= 0);
        @Nullable RuntimeException failure = writeHeld(due);
        if (failure != null) {
            log.warn("{} planned deliveries not logged yet, held again: {}", due.size(), failure.toString());
            for (DeliveryLog.Entry plan : due) {
                Held h = new Held(plan, now + holdNanos);
                if (held.putIfAbsent(h.key(), h) == null) {
                    order.add(h);
                }
            }
        }
    }

    /** Writes every held plan: the service is stopping. */
    @PreDestroy
    void flushAll() {
        List<DeliveryLog.Entry> all = take(h -> true);
        @Nullable RuntimeException failure = writeHeld(all);
        if (failure != null) {
            log.warn(
                    "{} planned deliveries not logged as planned (their statuses will be): {}",
                    all.size(),
                    failure.toString());
        }
    }

    /**
     * Takes the plans from the head of the hold order while {@code due}, those a status has not settled.
     * Synchronized: the scheduled flush and the one on stopping must not take each other's heads.
     */
    private synchronized List<DeliveryLog.Entry> take(Predicate<Held> due) {
        List<DeliveryLog.Entry> taken = new ArrayList<>();
        for (Held h = order.peek(); h != null && due.test(h); h = order.peek()) {
            order.poll();
            if (held.remove(h.key(), h)) {
                taken.add(h.plan());
            }
        }
        return taken;
    }

    /** Writes plans whose hold ended; what made it fail, or null. */
    private @Nullable RuntimeException writeHeld(List<DeliveryLog.Entry> plans) {
        if (plans.isEmpty()) {
            return null;
        }
        try {
            // A plan the table refuses on its own is dropped, or it would be held again, with the plans written
            // alongside it, for ever. Its status, if one comes, meets the same refusal and is dead-lettered.
            List<DataRefusals.Refusal> refused = DataRefusals.refusedAmong(plans, writer::accept);
            written.increment(plans.size() - refused.size());
            if (!refused.isEmpty()) {
                log.warn(
                        "{} planned deliveries refused by the delivery log, not logged as planned: {}",
                        refused.size(),
                        refused.getFirst().cause().toString());
            }
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
