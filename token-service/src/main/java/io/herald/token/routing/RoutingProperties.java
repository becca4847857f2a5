package io.herald.token.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Routing settings, {@code herald.token.routing.*}.
 *
 * @param sendTimeout {@code send-timeout}: how long routing one event may wait for Kafka to acknowledge its
 *     notifications before the event is retried
 */
@ConfigurationProperties("herald.token.routing")
record RoutingProperties(@DefaultValue("30s") Duration sendTimeout) {}
