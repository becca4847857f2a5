package io.herald.token.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Routed-mark settings, {@code herald.token.routed-events.*}.
 *
 * @param retention {@code retention}: how long an event stays marked as routed, so that a redelivery of it is
 *     skipped. Must be longer than {@code herald.events.v1} keeps records ({@code herald.topics.retention}, 7 days),
 *     and should cover what Kafka may keep beyond it: a log segment is deleted once its newest record is past the
 *     retention, so a record can stay up to {@code segment.ms} (7 days by default) longer
 * @param pruneInterval {@code prune-interval}: how often marks past the retention are deleted
 * @param pruneBatch {@code prune-batch}: marks deleted per statement, oldest first; each statement is its own short
 *     transaction
 */
@ConfigurationProperties("herald.token.routed-events")
record RoutedEventsProperties(
        @DefaultValue("15d") Duration retention,
        @DefaultValue("1h") Duration pruneInterval,
        @DefaultValue("5000") int pruneBatch) {

    RoutedEventsProperties {
        if (!retention.isPositive() || !pruneInterval.isPositive()) {
            throw new IllegalArgumentException(
                    "herald.token.routed-events.retention and prune-interval must be positive");
        }
        if (pruneBatch < 1) {
            throw new IllegalArgumentException("herald.token.routed-events.prune-batch must be at least 1");
        }
    }
}
