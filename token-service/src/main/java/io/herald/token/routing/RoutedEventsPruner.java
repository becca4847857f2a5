package io.herald.token.routing;

import io.herald.events.Topics;
import io.herald.spring.kafka.TopicSettings;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes routed marks past {@code herald.token.routed-events.retention}, oldest first, {@code prune-batch} at a
 * time, each batch its own short transaction: row locks on old marks only, never the table, so routing goes on
 * meanwhile. Refuses to start with a retention not longer than {@code herald.events.v1}'s, under which a redelivered
 * event would no longer be known as routed.
 */
@Component
class RoutedEventsPruner {

    private static final Logger log = LoggerFactory.getLogger(RoutedEventsPruner.class);

    private final RoutedEvents marks;
    private final RoutedEventsProperties properties;
    private final Clock clock;

    RoutedEventsPruner(RoutedEvents marks, RoutedEventsProperties properties, TopicSettings topics, Clock clock) {
        if (properties.retention().compareTo(topics.retentionOf(Topics.EVENTS)) <= 0) {
            throw new IllegalStateException("herald.token.routed-events.retention (" + properties.retention()
                    + ") must be longer than " + Topics.EVENTS + " keeps records (herald.topics.retention, "
                    + topics.retentionOf(Topics.EVENTS) + "): a redelivered event would be routed again");
        }
        this.marks = marks;
        this.properties = properties;
        this.clock = clock;
    }

    /** Deletes the marks past the retention; how many. */
    @Scheduled(
            initialDelayString = "${herald.token.routed-events.prune-interval:1h}",
            fixedDelayString = "${herald.token.routed-events.prune-interval:1h}")
    public int prune() {
        Instant cutoff = clock.instant().minus(properties.retention());
        int deleted = 0;
        Instant from = Instant.EPOCH;
        while (true) {
            RoutedEvents.Pruned batch = marks.deleteRoutedBefore(cutoff, from, properties.pruneBatch());
            deleted += batch.deleted();
            if (batch.deleted() < properties.pruneBatch() || batch.newest() == null) {
                break;
            }
            from = batch.newest();
        }
        if (deleted > 0) {
            log.info("deleted {} routed marks older than {}", deleted, properties.retention());
        }
        return deleted;
    }
}
