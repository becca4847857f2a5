package io.herald.gateway.events;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Scheduled delivery, {@code herald.gateway.schedule.*}.
 *
 * @param maxAhead {@code max-ahead}: how far ahead of the gateway's clock an event's {@code deliverAt} may be; one
 *     further ahead is refused with 400 {@code invalid-event} naming {@code deliverAt} (token-service holds every
 *     waiting event in PostgreSQL: this bounds how long)
 */
@ConfigurationProperties("herald.gateway.schedule")
record ScheduleProperties(@DefaultValue("400d") Duration maxAhead) {

    ScheduleProperties {
        if (maxAhead.isNegative() || maxAhead.isZero()) {
            throw new IllegalArgumentException("herald.gateway.schedule.max-ahead must be positive");
        }
    }
}
