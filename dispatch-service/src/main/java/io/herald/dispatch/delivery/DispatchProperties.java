package io.herald.dispatch.delivery;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery settings, {@code herald.dispatch.*}.
 *
 * @param sendTimeout {@code send-timeout}: the longest one provider call may take before it counts as failed
 * @param retry {@code retry.*}: backoff of transient failures before a delivery is dead-lettered
 * @param deliveryLog {@code delivery-log.*}: how long the record of sends is kept
 * @param log {@code log.*}: how the record of sends is read ({@code GET /internal/v1/deliveries})
 */
@ConfigurationProperties("herald.dispatch")
public record DispatchProperties(
        @DefaultValue("30s") Duration sendTimeout,
        @DefaultValue Retry retry,
        @DefaultValue DeliveryLogSettings deliveryLog,
        @DefaultValue LogApi log) {

    public DispatchProperties {
        positive("herald.dispatch.send-timeout", sendTimeout);
    }

    /**
     * Non-blocking retries on {@code herald.push.v1-retry-0}, {@code -retry-1}, …: a transiently failed
     * delivery waits on the next retry topic while the main topic moves on.
     *
     * @param initialInterval {@code initial-interval}: the first wait
     * @param multiplier {@code multiplier}: each next wait is this many times longer
     * @param maxInterval {@code max-interval}: the longest wait
     * @param jitter {@code jitter}: each wait is randomly up to this much longer or shorter
     * @param maxAttempts {@code max-attempts}: sends in all (the first and the retries) before {@code herald.push.v1-dlt}
     * @param maxRetryAfter {@code max-retry-after}: the longest {@code Retry-After} of a provider that is waited
     *     for; a delivery asked to wait longer goes to {@code herald.push.v1-dlt} ({@code retry-after-exceeded})
     *     at once, since a retry topic is read in order and one long wait would hold every record behind it
     */
    public record Retry(
            @DefaultValue("1s") Duration initialInterval,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("60s") Duration maxInterval,
            @DefaultValue("200ms") Duration jitter,
            @DefaultValue("6") int maxAttempts,
            @DefaultValue("5m") Duration maxRetryAfter) {

        public Retry {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("herald.dispatch.retry.max-attempts must be at least 1");
            }
            positive("herald.dispatch.retry.max-retry-after", maxRetryAfter);
        }

        /**
         * The longest a delivery can spend between its first attempt and its last: each wait at most the longest
         * backoff (or {@code Retry-After}) plus jitter, each attempt at most {@code sendTimeout}.
         */
        public Duration window(Duration sendTimeout) {
            Duration wait = (maxInterval.compareTo(maxRetryAfter) > 0 ? maxInterval : maxRetryAfter).plus(jitter);
            return wait.multipliedBy(maxAttempts - 1L).plus(sendTimeout.multipliedBy(maxAttempts));
        }
    }

    /**
     * The record of sends ({@code dispatch.deliveries}), one table partition per UTC day.
     *
     * @param retention {@code retention}: how long a send is remembered, so that a record redelivered by Kafka is
     *     not sent again; a day's partition is dropped once all its rows are older. Must be longer than {@code
     *     herald.topics.retention} plus the retry window: a record can be read again as long as Kafka keeps it
     * @param createAhead {@code create-ahead}: partitions are created this far ahead, so a maintenance job that
     *     fails for less than this long never leaves a send without a partition
     * @param maintenanceInterval {@code maintenance-interval}: how often partitions are created ahead and old ones
     *     dropped (also once at startup)
     */
    public record DeliveryLogSettings(
            @DefaultValue("30d") Duration retention,
            @DefaultValue("3d") Duration createAhead,
            @DefaultValue("1h") Duration maintenanceInterval) {

        public DeliveryLogSettings {
            positive("herald.dispatch.delivery-log.retention", retention);
            positive("herald.dispatch.delivery-log.maintenance-interval", maintenanceInterval);
            if (createAhead.compareTo(Duration.ofDays(1)) < 0) {
                throw new IllegalArgumentException("herald.dispatch.delivery-log.create-ahead must be at least 1d");
            }
        }
    }

    /**
     * The internal API that reads the record of sends ({@code GET /internal/v1/deliveries}).
     *
     * @param maxRows {@code max-rows}: the most deliveries one call answers (the newest); {@code "truncated": true}
     *     says there were more
     */
    public record LogApi(@DefaultValue("10000") int maxRows) {

        public LogApi {
            if (maxRows < 1) {
                throw new IllegalArgumentException("herald.dispatch.log.max-rows must be at least 1");
            }
        }
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive");
        }
    }
}
