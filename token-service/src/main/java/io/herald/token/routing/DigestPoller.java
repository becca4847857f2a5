package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Routes the digests of closed windows ({@link Digests}; {@link DuePoller}: every {@code
 * herald.token.digest.poll-interval}, up to {@code batch-size} closed windows a transaction, earliest closing first):
 * counts what each absorbed and routes one digest per window through the listener's path ({@link
 * RoutingListener#accept}: preferences, quiet hours and caps apply as to any event). It runs also with no rule
 * configured: windows left open when their rule was removed are routed when they close (one indexed query a tick when
 * there are none).
 *
 * <p>Guarantees, beyond {@link DuePoller}'s (routed once its transaction commits, by one instance; a digest the
 * database refuses dead-lettered alone, its window leaving with the batch): an event arriving for a window being
 * routed waits for that transaction and then opens a new window; a crash after Kafka acknowledged a digest's
 * notifications and before the commit leaves its window, routed again under the same digest id.
 */
@Component
class DigestPoller extends DuePoller<DomainEvent> {

    private final Digests digests;
    private final RoutingListener routing;
    private final MeterRegistry meters;

    DigestPoller(
            Digests digests,
            RoutingListener routing,
            PlatformTransactionManager transactionManager,
            KafkaTemplate<String, Object> kafka,
            RoutingProperties routingProperties,
            DigestProperties properties,
            MeterRegistry meters) {
        super(
                "digest",
                properties.digest().pollInterval(),
                properties.digest().batchSize(),
                transactionManager,
                kafka,
                routingProperties.sendTimeout());
        this.digests = digests;
        this.routing = routing;
        this.meters = meters;
    }

    /** Takes the closed windows, counts what each absorbed: a digest per window with something to tell. */
    @Override
    Taken<DomainEvent> take(int batchSize) {
        List<Digests.Closed> closed = digests.takeClosed(batchSize);
        if (closed.isEmpty()) {
            return new Taken<>(0, List.of());
        }
        Map<UUID, Digests.Tally> tallies =
                digests.tallies(closed.stream().map(Digests.Closed::digestId).toList());
        List<DomainEvent> events = new ArrayList<>(closed.size());
        for (Digests.Closed window : closed) {
            Digests.Tally tally = tallies.get(window.digestId());
            // A window whose every event had been counted before (a replay) has nothing to tell.
            if (tally != null && tally.events() > 0) {
                events.add(digests.digest(window, tally));
            }
        }
        return new Taken<>(closed.size(), events);
    }

    @Override
    void route(List<DomainEvent> events) throws InterruptedException {
        // As an event that arrives now: what diverts events (quiet hours that defer) applies to a digest too.
        routing.accept(events, Map.of());
    }

    @Override
    DomainEvent eventOf(DomainEvent digest) {
        return digest;
    }

    @Override
    void routed(Taken<DomainEvent> taken, int refused) {
        meters.counter("herald.token.digests.routed").increment(taken.items().size() - refused);
    }
}
