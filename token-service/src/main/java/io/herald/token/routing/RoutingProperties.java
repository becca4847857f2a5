package io.herald.token.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Routing settings, {@code herald.token.routing.*}.
 *
 * @param sendTimeout {@code send-timeout}: how long routing one event may wait for Kafka to acknowledge its
 *     notifications before the event is retried
 * @param consumers {@code consumers}: consumers of {@code herald.events.v1} per instance, each routing a poll of
 *     its own partitions (more than the topic's partitions stay idle); read by the listener's {@code
 *     concurrency}. One by default: on two cores, three made end-to-end latency worse (smaller polls, each
 *     paying its own database statements)
 */
@ConfigurationProperties("herald.token.routing")
record RoutingProperties(
        @DefaultValue("30s") Duration sendTimeout,
        @DefaultValue("1") int consumers) {}
