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
     * @param initialInterval {@code initial-interval}: the first wait
     * @param multiplier {@code multiplier}: each next wait is this many times longer
     * @param maxElapsed {@code max-elapsed}: after this long in total, the delivery goes to {@code herald.push.v1-dlt}
     */
    public record Retry(
            @DefaultValue("1s") Duration initialInterval,
            @DefaultValue("2.0") double multiplier,
            @DefaultValue("60s") Duration maxElapsed) {}
}
