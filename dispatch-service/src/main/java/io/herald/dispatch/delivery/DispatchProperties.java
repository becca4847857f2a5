package io.herald.dispatch.delivery;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery settings, {@code herald.dispatch.*}.
 *
 * @param sendTimeout {@code send-timeout}: the longest one provider call may take before it counts as failed
 * @param retry {@code retry.*}: backoff of transient failures before a delivery is dead-lettered
 */
@ConfigurationProperties("herald.dispatch")
public record DispatchProperties(
        @DefaultValue("30s") Duration sendTimeout,
        @DefaultValue Retry retry) {

    /**
     * Non-blocking retries on {@code herald.push.v1-retry-0}, {@code -retry-1}, …: a transiently failed
     * delivery waits on the next retry topic while the main topic moves on.
     *
     * @param initialInterval {@code initial-interval}: the first wait
     * @param multiplier {@code multiplier}: each next wait is this many times longer
     * @param maxInterval {@code max-interval}: the longest wait
     * @param jitter {@code jitter}: each wait is randomly up to this much longer or shorter
     * @param maxAttempts {@code max-attempts}: sends in all (the first and the retries) before {@code herald.push.v1-dlt}
     */
    public record Retry(
            @DefaultValue("1s") Duration initialInterval,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("60s") Duration maxInterval,
            @DefaultValue("200ms") Duration jitter,
            @DefaultValue("6") int maxAttempts) {}
}
