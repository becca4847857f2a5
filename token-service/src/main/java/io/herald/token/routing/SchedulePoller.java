package io.herald.token.routing;

import io.herald.events.DomainEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Routes the scheduled events ({@link ScheduledEvents}) when they are due ({@link DuePoller}: every {@code
 * herald.token.schedule.poll-interval}, up to {@code batch-size} due rows a transaction, earliest first): an event
 * held whole or a local time's part through the listener's path ({@link RoutingListener#accept}, as an event arriving
 * now), a push deferred past quiet hours through {@link RoutingListener#routeDeferredPushes}. The guarantees are
 * {@link DuePoller}'s: routed once its transaction commits, by one instance; again after a crash, harmlessly; an event
 * the database refuses dead-lettered alone to {@code herald.events.v1-dlt}.
 */
@Component
class SchedulePoller extends DuePoller<ScheduledEvents.Due> {

    private final ScheduledEvents scheduled;
    private final RoutingListener routing;

    SchedulePoller(
            ScheduledEvents scheduled,
            RoutingListener routing,
            PlatformTransactionManager transactionManager,
            KafkaTemplate<String, Object> kafka,
            RoutingProperties routingProperties,
            ScheduleProperties properties) {
        super(
                "scheduled event",
                properties.pollInterval(),
                properties.batchSize(),
                transactionManager,
                kafka,
                routingProperties.sendTimeout());
        this.scheduled = scheduled;
        this.routing = routing;
    }

    @Override
    Taken<ScheduledEvents.Due> take(int batchSize) {
        List<ScheduledEvents.Due> due = scheduled.takeDue(batchSize);
        return new Taken<>(due.size(), due);
    }

    @Override
    void route(List<ScheduledEvents.Due> due) throws InterruptedException {
        Map<UUID, String> traces = new HashMap<>();
        due.forEach(d -> {
            if (d.traceparent() != null) {
                traces.put(d.event().eventId(), d.traceparent());
            }
        });
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
    }

    @Override
    DomainEvent eventOf(ScheduledEvents.Due due) {
        return due.event();
    }
}
